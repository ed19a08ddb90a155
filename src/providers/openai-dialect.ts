import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { GatewayError } from '../errors/catalogue.js';
import type { ChatResult, EmbeddingsResult, ProviderAdapter, StreamEvent, UpstreamCall } from './adapter.js';
import { bodyReportsFailure, classifyUpstreamError } from './error-classifier.js';
import { postJson, readChunks, readText, type TransportResponse } from './http-transport.js';
import { normalizeOpenAiUsage } from './openai-usage.js';
import { checkChatResponse, checkChunk } from './openai-shape.js';
import type { PresetDefinition } from './preset.js';
import { parseJsonOrText } from './parse-json.js';
import { SseParser } from './sse-parser.js';

async function failIfError(call: UpstreamCall<unknown>, response: TransportResponse): Promise<void> {
  if (response.status < 400) return;
  const text = await readText(call.provider, response.body);
  throw classifyUpstreamError(call.preset, response.status, parseJsonOrText(text), response.headers['retry-after']);
}

async function readJsonBody(call: UpstreamCall<unknown>, response: TransportResponse): Promise<Record<string, unknown>> {
  const body = parseJsonOrText(await readText(call.provider, response.body));
  if (bodyReportsFailure(body)) throw classifyUpstreamError(call.preset, response.status, body, response.headers['retry-after']);
  if (typeof body !== 'object' || body === null) {
    throw new GatewayError('upstream_unavailable', `${call.preset.displayName}: response is not JSON`);
  }
  return body as Record<string, unknown>;
}

function isModeration(preset: PresetDefinition, finishReason: unknown): boolean {
  return typeof finishReason === 'string' && (preset.moderationFinishReasons ?? []).includes(finishReason);
}

/** The shared adapter for every provider that speaks OpenAI's Chat Completions dialect. */
export const openAiDialect: ProviderAdapter = {
  async chat(call: UpstreamCall<ChatRequest>): Promise<ChatResult> {
    const response = await postJson(call.provider, call.preset, '/chat/completions', JSON.stringify(call.body), call.signal);
    await failIfError(call, response);
    const body = await readJsonBody(call, response);
    const chat = checkChatResponse(body, call.preset.displayName);
    const usage = normalizeOpenAiUsage(body.usage);
    for (const choice of chat.choices) {
      if (isModeration(call.preset, choice.finish_reason)) choice.finish_reason = 'content_filter';
    }
    return { response: chat, usage: usage ?? missingUsage() };
  },

  async *chatStream(call: UpstreamCall<ChatRequest>): AsyncGenerator<StreamEvent> {
    const response = await postJson(call.provider, call.preset, '/chat/completions', JSON.stringify(call.body), call.signal);
    await failIfError(call, response);
    const parser = new SseParser();
    let usage: NormalizedUsage | undefined;
    let finished = false;
    let done = false;
    let answered = false; // a chunk with choices went out
    const handle = function* (data: string): Generator<StreamEvent> {
      if (data === '[DONE]') {
        done = true;
        return;
      }
      const json = parseJsonOrText(data);
      if (typeof json !== 'object' || json === null) return; // a malformed chunk is skipped, not fatal
      if (bodyReportsFailure(json) || (json as { error?: unknown }).error) {
        const error = classifyUpstreamError(call.preset, response.status, json);
        if (error.code !== 'upstream_content_rejected') throw error;
        finished = true;
        yield { type: 'moderated', message: error.message };
        return;
      }
      const chunk = json as ChatChunk;
      let changed = checkChunk(chunk, call.preset.displayName);
      const rawUsage = chunk.usage ?? (chunk.choices?.[0] as { usage?: unknown } | undefined)?.usage;
      if (rawUsage) {
        changed = true;
        usage = normalizeOpenAiUsage(rawUsage) ?? usage;
        delete chunk.usage;
        if (chunk.choices?.[0]) delete (chunk.choices[0] as { usage?: unknown }).usage;
      }
      if (!Array.isArray(chunk.choices) || chunk.choices.length === 0) return;
      let moderated = false;
      for (const choice of chunk.choices) {
        if (isModeration(call.preset, choice.finish_reason)) {
          choice.finish_reason = 'content_filter';
          moderated = true;
          changed = true;
        }
        if (choice.finish_reason) finished = true;
      }
      answered = true;
      yield changed ? { type: 'chunk', chunk } : { type: 'chunk', chunk, raw: data };
      if (moderated) yield { type: 'moderated', message: `${call.preset.displayName} stopped the answer for moderation` };
    };
    for await (const bytes of readChunks(call.provider, response.body)) {
      for (const event of parser.push(bytes)) yield* handle(event.data);
    }
    for (const event of parser.end()) yield* handle(event.data);
    if (!done && !finished) {
      throw new GatewayError('upstream_unavailable', `${call.preset.displayName}: stream ended before it finished`);
    }
    // [DONE] after nothing usable (every data line malformed): an error, retried before the client saw a byte.
    if (!answered && !finished) throw new GatewayError('upstream_unavailable', `${call.preset.displayName}: stream carried no answer`);
    if (usage) yield { type: 'usage', usage };
  },

  async embeddings(call: UpstreamCall<EmbeddingsRequest>): Promise<EmbeddingsResult> {
    const response = await postJson(call.provider, call.preset, '/embeddings', JSON.stringify(call.body), call.signal);
    await failIfError(call, response);
    const body = await readJsonBody(call, response);
    if (!Array.isArray(body.data)) {
      throw new GatewayError('upstream_unavailable', `${call.preset.displayName}: embeddings response has no data`);
    }
    return { response: body as unknown as EmbeddingsResponse, usage: normalizeOpenAiUsage(body.usage) ?? missingUsage() };
  },
};

/** Marker for "the provider sent no usage"; the pipeline replaces it with an estimate. */
export function missingUsage(): NormalizedUsage {
  return { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: true };
}
