/** Anthropic Messages API (`POST /anthropic/v1/messages`): real response shape and real SSE event order. */
import { chunkText, normalizeAnthropic } from './answers.js';
import { errorResponse } from './errors.js';
import type { AnswerPlan } from './types.js';
import { sendJson, sleep, SseWriter, type Exchange } from './wire.js';

let counter = 0;
const nextId = (prefix: string): string => `${prefix}_sim${Date.now().toString(36)}${(counter += 1)}`;

function usageOf(plan: AnswerPlan): Record<string, number> {
  const { prompt, cached, cacheWrite, completion } = plan.usage;
  return {
    // Anthropic's input_tokens EXCLUDES cache reads and cache writes.
    input_tokens: Math.max(0, prompt - cached - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cached,
    output_tokens: completion,
  };
}

function blocks(plan: AnswerPlan): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (plan.reasoning !== undefined) out.push({ type: 'thinking', thinking: plan.reasoning, signature: 'c2ltdWxhdGVk' });
  if (plan.content !== null) out.push({ type: 'text', text: plan.content });
  if (plan.toolCall) {
    let input: unknown = {};
    try { input = JSON.parse(plan.toolCall.arguments); } catch { input = { raw: plan.toolCall.arguments }; }
    out.push({ type: 'tool_use', id: plan.toolCall.id.replace('call_', 'toolu_'), name: plan.toolCall.name, input });
  }
  return out;
}

const stopReason = (plan: AnswerPlan): string => (plan.toolCall ? 'tool_use' : 'end_turn');

export async function handleMessages(x: Exchange): Promise<void> {
  const plan = x.book.plan(x.preset, normalizeAnthropic(x.body), x.step?.kind === 'ok' ? x.step : undefined);
  if (x.body.stream === true) return streamMessages(x, plan);
  const step = x.step;
  if (step?.kind === 'moderated-mid-stream') {
    const { status, body } = errorResponse(x.preset, 'content_rejected', 400, plan.model);
    return sendJson(x.res, status, body);
  }
  const message = {
    id: nextId('msg'), type: 'message', role: 'assistant', model: plan.model, content: blocks(plan),
    stop_reason: stopReason(plan), stop_sequence: null, usage: usageOf(plan),
  };
  const text = JSON.stringify(message);
  if (step?.kind === 'malformed-chunk' || step?.kind === 'cut-mid-stream' || step?.kind === 'stall-after-first-chunk') {
    x.res.writeHead(200, { 'content-type': 'application/json' });
    if (step.kind === 'malformed-chunk') return void x.res.end(text.slice(0, Math.floor(text.length / 2)));
    x.res.write(text.slice(0, 1));
    if (step.kind === 'cut-mid-stream') return void x.res.socket?.destroy();
    await sleep(step.ms);
    if (!x.res.destroyed) x.res.end(text.slice(1));
    return;
  }
  sendJson(x.res, 200, message);
}

async function streamMessages(x: Exchange, plan: AnswerPlan): Promise<void> {
  const usage = usageOf(plan);
  const step = x.step;
  const events: Array<[string, Record<string, unknown>]> = [];
  blocks(plan).forEach((block, index) => {
    if (block.type === 'thinking') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '' } }]);
      for (const piece of chunkText(String(block.thinking))) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } }]);
      }
      events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }]);
    } else if (block.type === 'text') {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }]);
      for (const piece of chunkText(String(block.text))) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }]);
      }
    } else {
      events.push(['content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }]);
      for (const piece of chunkText(JSON.stringify(block.input))) {
        events.push(['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }]);
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }]);
  });
  // Real order: message_start, the first content_block_start, then a ping.
  events.splice(1, 0, ['ping', { type: 'ping' }]);

  const sse = new SseWriter(x.res, x.tokenDelayMs);
  await sse.event('message_start', {
    type: 'message_start',
    message: {
      id: nextId('msg'), type: 'message', role: 'assistant', model: plan.model, content: [],
      stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 },
    },
  });
  const finish = async (reason: string): Promise<void> => {
    await sse.event('message_delta', { type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } });
    await sse.event('message_stop', { type: 'message_stop' });
    sse.end();
  };

  if (step?.kind === 'moderated-mid-stream' || step?.kind === 'cut-mid-stream') {
    const head = events.slice(0, 4);
    for (const [name, payload] of head) await sse.event(name, payload);
    if (step.kind === 'cut-mid-stream') {
      await sleep(20);
      return sse.cut();
    }
    const last = head[head.length - 1];
    if (last && last[0] !== 'content_block_stop') {
      const started = [...head].reverse().find(([name]) => name === 'content_block_start');
      await sse.event('content_block_stop', { type: 'content_block_stop', index: started?.[1].index ?? 0 });
    }
    return finish('refusal');
  }
  for (const [index, [name, payload]] of events.entries()) {
    if (!sse.alive) return;
    await sse.event(name, payload);
    if (index === 0 && step?.kind === 'stall-after-first-chunk') await sleep(step.ms);
    if (index === 2 && step?.kind === 'malformed-chunk') sse.raw('event: content_block_delta\ndata: {"type":"content_block_delta","index":\n\n');
  }
  await finish(stopReason(plan));
}
