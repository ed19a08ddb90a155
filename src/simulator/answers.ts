/**
 * Deterministic answers: the same request always gets the same content and token counts, so
 * tests can assert on them. Both dialects are reduced to a NormalizedRequest first.
 */
import type { AnswerPlan, ScriptStep, SimUsage } from './types.js';

export interface NormalizedMessage {
  role: string;
  text: string;
  images: number;
}

export interface NormalizedRequest {
  model: string;
  messages: NormalizedMessage[];
  /** Identity of the first message, for the simple prefix cache. */
  firstKey: string;
  toolNames: string[];
  toolChoiceNone: boolean;
  /** tool_choice names one tool (Anthropic {type:'tool'}, OpenAI {type:'function'}): the answer is a call to it. */
  forcedTool?: string;
  jsonMode: boolean;
  /** The request asked for thinking explicitly (Anthropic `thinking`, DeepSeek/Doubao `thinking`). */
  thinkingRequested: boolean;
  /** The request marked something for explicit caching (Anthropic / Qwen `cache_control`). */
  cacheControl: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Text and image count of an OpenAI or Anthropic content value. */
export function contentText(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  const texts: string[] = [];
  let images = 0;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'image_url' || part.type === 'image' || part.type === 'input_image') images += 1;
    else if (part.type === 'tool_result') {
      const inner = contentText(part.content);
      texts.push(inner.text);
      images += inner.images;
    }
  }
  return { text: texts.join(' '), images };
}

function thinkingOn(value: unknown): boolean {
  return isRecord(value) && (value.type === 'enabled' || value.type === 'auto');
}

export function normalizeOpenAI(body: Record<string, unknown>): NormalizedRequest {
  const raw = Array.isArray(body.messages) ? body.messages : [];
  const messages = raw.filter(isRecord).map((message) => {
    const { text, images } = contentText(message.content);
    return { role: String(message.role ?? 'user'), text, images };
  });
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const toolNames = tools.map((tool) => (isRecord(tool.function) ? String(tool.function.name ?? '') : String(tool.name ?? '')));
  const format = isRecord(body.response_format) ? body.response_format.type : undefined;
  return {
    model: String(body.model ?? 'unknown'),
    messages,
    firstKey: JSON.stringify(raw[0] ?? null),
    toolNames,
    toolChoiceNone: body.tool_choice === 'none',
    ...(isRecord(body.tool_choice) && isRecord(body.tool_choice.function) && typeof body.tool_choice.function.name === 'string' ? { forcedTool: body.tool_choice.function.name } : {}),
    jsonMode: format === 'json_object' || format === 'json_schema',
    thinkingRequested: thinkingOn(body.thinking) || body.enable_thinking === true,
    cacheControl: JSON.stringify(body).includes('"cache_control"'),
  };
}

export function normalizeAnthropic(body: Record<string, unknown>): NormalizedRequest {
  const raw = Array.isArray(body.messages) ? body.messages : [];
  const messages: NormalizedMessage[] = [];
  if (body.system !== undefined) messages.push({ role: 'system', ...contentText(body.system) });
  for (const message of raw.filter(isRecord)) messages.push({ role: String(message.role ?? 'user'), ...contentText(message.content) });
  const tools = Array.isArray(body.tools) ? body.tools.filter(isRecord) : [];
  const choice = isRecord(body.tool_choice) ? body.tool_choice.type : undefined;
  return {
    model: String(body.model ?? 'unknown'),
    messages,
    firstKey: JSON.stringify(body.system ?? raw[0] ?? null),
    toolNames: tools.map((tool) => String(tool.name ?? '')),
    toolChoiceNone: choice === 'none',
    ...(choice === 'tool' && isRecord(body.tool_choice) && typeof body.tool_choice.name === 'string' ? { forcedTool: body.tool_choice.name } : {}),
    jsonMode: false,
    thinkingRequested: thinkingOn(body.thinking),
    cacheControl: JSON.stringify(body).includes('"cache_control"'),
  };
}

const tokens = (text: string): number => Math.ceil(text.length / 4);

export function promptTokens(request: NormalizedRequest): number {
  const chars = request.messages.reduce((sum, message) => sum + message.text.length, 0);
  const images = request.messages.reduce((sum, message) => sum + message.images, 0);
  return Math.ceil(chars / 4) + 85 * images;
}

export function defaultAnswerText(preset: string, request: NormalizedRequest): string {
  const lastUser = [...request.messages].reverse().find((message) => message.role === 'user');
  const text = Array.from(lastUser?.text ?? '').slice(0, 40).join('');
  const images = lastUser?.images ?? 0;
  const suffix = images > 0 ? ` [${images} image(s)]` : '';
  return `Simulated ${preset} answer to: ${text}${suffix}`;
}

export function reasoningModel(model: string): boolean {
  const lower = model.toLowerCase();
  return lower.includes('reasoner') || lower.includes('thinking') || lower.includes('k3');
}

/** Per-simulator state the answers depend on: the prefix cache and the tool-call id counter. */
export class AnswerBook {
  private readonly seen = new Map<string, Set<string>>();
  private toolCounter = 0;

  reset(): void {
    this.seen.clear();
    this.toolCounter = 0;
  }

  plan(preset: string, request: NormalizedRequest, step?: Extract<ScriptStep, { kind: 'ok' }>): AnswerPlan {
    const base = defaultAnswerText(preset, request);
    const last = request.messages[request.messages.length - 1];
    const wantsTool =
      request.toolNames.length > 0 && !request.toolChoiceNone && last?.role === 'user' && /\bweather\b/i.test(last.text);
    let toolCall: AnswerPlan['toolCall'];
    if (step?.toolCall) toolCall = { id: this.nextToolId(), ...step.toolCall };
    else if (request.forcedTool && step?.content === undefined) {
      toolCall = { id: this.nextToolId(), name: request.forcedTool, arguments: JSON.stringify({ answer: base }) };
    } else if (wantsTool && step?.content === undefined) {
      toolCall = { id: this.nextToolId(), name: request.toolNames[0] ?? 'tool', arguments: '{"city":"Beijing"}' };
    }
    let content: string | null = step?.content ?? (request.jsonMode ? JSON.stringify({ answer: base }) : base);
    if (toolCall && step?.content === undefined) content = null;
    const reasoning =
      step?.reasoning ??
      (reasoningModel(request.model) || request.thinkingRequested ? `Thinking about: ${base.slice(base.indexOf(': ') + 2)}` : undefined);

    const prompt = promptTokens(request);
    const cacheHit = this.remember(preset, request.firstKey);
    const cached = cacheHit ? Math.floor(prompt * 0.5) : 0;
    const cacheWrite = !cacheHit && request.cacheControl ? Math.floor(prompt * 0.5) : 0;
    const reasoningTokens = reasoning ? tokens(reasoning) : 0;
    const visible = tokens(content ?? '') + (toolCall ? tokens(toolCall.name + toolCall.arguments) : 0);
    const usage: SimUsage = { prompt, completion: visible + reasoningTokens, cached, cacheWrite, reasoning: reasoningTokens };
    Object.assign(usage, step?.usage ?? {});
    const plan: AnswerPlan = { model: request.model, content, finishReason: step?.finishReason ?? (toolCall ? 'tool_calls' : 'stop'), usage };
    if (reasoning !== undefined) plan.reasoning = reasoning;
    if (toolCall) plan.toolCall = toolCall;
    return plan;
  }

  private remember(preset: string, key: string): boolean {
    let keys = this.seen.get(preset);
    if (!keys) this.seen.set(preset, (keys = new Set()));
    const hit = keys.has(key);
    keys.add(key);
    return hit;
  }

  private nextToolId(): string {
    this.toolCounter += 1;
    return `call_sim_${String(this.toolCounter).padStart(4, '0')}`;
  }
}

/** Split text into small stream pieces (words, long words cut at 8 code points; never inside a character). */
export function chunkText(text: string): string[] {
  const pieces: string[] = [];
  for (const word of text.match(/\S+\s*|\s+/g) ?? []) {
    const chars = Array.from(word);
    for (let index = 0; index < chars.length; index += 8) pieces.push(chars.slice(index, index + 8).join(''));
  }
  return pieces;
}

/** Deterministic 8-dimension unit vector for one embeddings input. */
export function embeddingFor(input: unknown): number[] {
  const text = typeof input === 'string' ? input : JSON.stringify(input);
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619) >>> 0;
  const vector = Array.from({ length: 8 }, (_, index) => Math.sin(hash / 1e6 + index * 1.7));
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0)) || 1;
  return vector.map((value) => Number((value / norm).toFixed(6)));
}
