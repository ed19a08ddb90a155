/** Chat completions and embeddings in the OpenAI dialect, with each preset's quirks on the wire. */
import { chunkText, embeddingFor, normalizeOpenAI } from './answers.js';
import { errorResponse, outputModerationBody } from './errors.js';
import { envelopeExtras, quirksFor, usageFor } from './quirks.js';
import type { AnswerPlan } from './types.js';
import { sendJson, sleep, SseWriter, type Exchange } from './wire.js';

let idCounter = 0;
const nextId = (): string => `chatcmpl-sim${Date.now().toString(36)}${(idCounter += 1)}`;
const now = (): number => Math.floor(Date.now() / 1000);

function message(plan: AnswerPlan): Record<string, unknown> {
  const out: Record<string, unknown> = { role: 'assistant', content: plan.content };
  if (plan.reasoning !== undefined) out.reasoning_content = plan.reasoning;
  if (plan.toolCall) {
    const { id, name, arguments: args } = plan.toolCall;
    out.tool_calls = [{ id, type: 'function', function: { name, arguments: args } }];
  }
  return out;
}

export async function handleChat(x: Exchange): Promise<void> {
  const request = normalizeOpenAI(x.body);
  const plan = x.book.plan(x.preset, request, x.step?.kind === 'ok' ? x.step : undefined);
  if (x.body.stream === true) return streamChat(x, plan);
  const quirks = quirksFor(x.preset);
  const step = x.step;
  const kind = step?.kind;
  if (kind === 'moderated-mid-stream') {
    const cutoff = quirks.moderation;
    if (cutoff === 'error-event') {
      const { status, body } = errorResponse(x.preset, 'content_rejected', 400, plan.model);
      return sendJson(x.res, status, body);
    }
    plan.content = chunkText(plan.content ?? '').slice(0, 2).join('');
    plan.finishReason = cutoff.finishReason as AnswerPlan['finishReason'];
  }
  const response = {
    id: nextId(),
    object: 'chat.completion',
    created: now(),
    model: plan.model,
    choices: [{ index: 0, message: message(plan), logprobs: null, finish_reason: plan.finishReason }],
    usage: usageFor(x.preset, plan.usage),
    system_fingerprint: null,
    ...envelopeExtras(x.preset),
  };
  const text = JSON.stringify(response);
  if (kind === 'malformed-chunk') {
    x.res.writeHead(200, { 'content-type': 'application/json' });
    x.res.end(text.slice(0, Math.floor(text.length / 2)));
    return;
  }
  if (step?.kind === 'cut-mid-stream' || step?.kind === 'stall-after-first-chunk') {
    x.res.writeHead(200, { 'content-type': 'application/json' });
    x.res.write(quirks.keepAlive ? '\n' : text.slice(0, 1));
    if (step.kind === 'cut-mid-stream') {
      x.res.socket?.destroy();
      return;
    }
    await sleep(step.ms);
    if (!x.res.destroyed) x.res.end(quirks.keepAlive ? text : text.slice(1));
    return;
  }
  // DeepSeek keeps a non-stream connection alive with blank lines until inference starts.
  sendJson(x.res, 200, response, {}, quirks.keepAlive ? '\n\n' : '');
}

async function streamChat(x: Exchange, plan: AnswerPlan): Promise<void> {
  const quirks = quirksFor(x.preset);
  const includeUsage =
    typeof x.body.stream_options === 'object' && x.body.stream_options !== null &&
    (x.body.stream_options as Record<string, unknown>).include_usage === true;
  const id = nextId();
  const created = now();
  const extras = envelopeExtras(x.preset);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({
    id, object: 'chat.completion.chunk', created, model: plan.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extras,
  });
  const usage = usageFor(x.preset, plan.usage);
  const finishChunk = (finish: string): Record<string, unknown> => {
    const out = chunk({}, finish);
    if (quirks.streamUsage === 'finish-chunk') out.usage = usage;
    if (quirks.streamUsage === 'in-choice') (out.choices as Array<Record<string, unknown>>)[0]!.usage = usage;
    return out;
  };
  const usageChunk = (): Record<string, unknown> | undefined =>
    quirks.streamUsage === 'include-usage' && includeUsage
      ? { id, object: 'chat.completion.chunk', created, model: plan.model, choices: [], usage, ...extras }
      : undefined;

  const body: Array<Record<string, unknown>> = [chunk({ role: 'assistant', content: '' })];
  for (const piece of chunkText(plan.reasoning ?? '')) body.push(chunk({ reasoning_content: piece }));
  for (const piece of chunkText(plan.content ?? '')) body.push(chunk({ content: piece }));
  if (plan.toolCall) {
    const { id: callId, name, arguments: args } = plan.toolCall;
    body.push(chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }] }));
    for (const piece of chunkText(args)) body.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  }

  const sse = new SseWriter(x.res, x.tokenDelayMs);
  sse.start();
  if (quirks.keepAlive) sse.raw(': keep-alive\n\n\n\n: keep-alive\n\n');
  const step = x.step;

  if (step?.kind === 'moderated-mid-stream') {
    for (const event of body.slice(0, 3)) await sse.data(event);
    const cutoff = quirks.moderation;
    if (cutoff === 'error-event') {
      await sse.data(outputModerationBody(x.preset, plan.model));
      return sse.end();
    }
    await sse.data(finishChunk(cutoff.finishReason));
    const extra = usageChunk();
    if (extra) await sse.data(extra);
    await sse.data('[DONE]');
    return sse.end();
  }
  if (step?.kind === 'cut-mid-stream') {
    for (const event of body.slice(0, Math.min(3, body.length))) await sse.data(event);
    await sleep(20);
    return sse.cut();
  }

  const all = [...body, finishChunk(plan.finishReason)];
  const extra = usageChunk();
  if (extra) all.push(extra);
  for (const [index, event] of all.entries()) {
    if (!sse.alive) return;
    await sse.data(event);
    if (index === 0 && step?.kind === 'stall-after-first-chunk') await sleep(step.ms);
    if (index === 1 && step?.kind === 'malformed-chunk') sse.raw('data: {"id":"broken","choices":[{"delta":\n\n');
  }
  await sse.data('[DONE]');
  sse.end();
}

export function handleEmbeddings(x: Exchange): void {
  const input = x.body.input;
  const inputs: unknown[] =
    typeof input === 'string' ? [input] : Array.isArray(input) && input.every((item) => typeof item === 'number') ? [input] : Array.isArray(input) ? input : [];
  // Like OpenAI: encoding_format "base64" returns little-endian float32 bytes, base64-encoded.
  const base64 = x.body.encoding_format === 'base64';
  const encode = (vector: number[]) => (base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector);
  const data = inputs.map((item, index) => ({ object: 'embedding', index, embedding: encode(embeddingFor(item)) }));
  const promptTokens = inputs.reduce<number>(
    (sum, item) => sum + (typeof item === 'string' ? Math.ceil(item.length / 4) : Array.isArray(item) ? item.length : 0),
    0,
  );
  sendJson(x.res, 200, {
    object: 'list', data, model: String(x.body.model ?? 'unknown'),
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens }, ...envelopeExtras(x.preset),
  });
}
