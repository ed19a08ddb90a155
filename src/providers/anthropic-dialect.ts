import type { ChatRequest } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';
import { AnthropicStreamDecoder } from '../translate/anthropic-outbound-stream.js';
import { chatRequestToMessages, messageToChatResponse } from '../translate/anthropic-outbound.js';
import type { ChatResult, ProviderAdapter, StreamEvent, UpstreamCall } from './adapter.js';
import { classifyUpstreamError } from './error-classifier.js';
import { postJson, readChunks, readText } from './http-transport.js';
import { parseJsonOrText } from './parse-json.js';
import { SseParser } from './sse-parser.js';

async function send(call: UpstreamCall<ChatRequest>) {
  const { body, warnings } = chatRequestToMessages(call.body, call.model.upstream);
  for (const warning of warnings) if (!call.warnings?.includes(warning)) call.warnings?.push(warning);
  const response = await postJson(call.provider, call.preset, '/messages', JSON.stringify(body), call.signal);
  if (response.status >= 400) {
    const text = await readText(call.provider, response.body);
    throw classifyUpstreamError(call.preset, response.status, parseJsonOrText(text), response.headers['retry-after']);
  }
  return response;
}

/** Anthropic's Messages API as a provider: canonical requests are translated out and answers back. */
export const anthropicDialect: ProviderAdapter = {
  async chat(call): Promise<ChatResult> {
    const response = await send(call);
    const message = parseJsonOrText(await readText(call.provider, response.body));
    return messageToChatResponse(message, call.model.id);
  },

  async *chatStream(call): AsyncGenerator<StreamEvent> {
    const response = await send(call);
    const parser = new SseParser();
    const decoder = new AnthropicStreamDecoder(call.model.id);
    let stopped = false;
    const handle = (name: string | undefined, data: string): StreamEvent[] => {
      const json = parseJsonOrText(data);
      if (typeof json !== 'object' || json === null) return [];
      const eventName = name ?? String((json as { type?: unknown }).type ?? '');
      if (eventName === 'message_stop') stopped = true;
      if (eventName === 'error') throw classifyUpstreamError(call.preset, 200, json);
      return decoder.accept(eventName, json);
    };
    for await (const bytes of readChunks(call.provider, response.body)) {
      for (const event of parser.push(bytes)) yield* handle(event.event, event.data);
    }
    for (const event of parser.end()) yield* handle(event.event, event.data);
    if (!stopped) throw new GatewayError('upstream_unavailable', `${call.preset.displayName}: stream ended before message_stop`);
  },

  async embeddings() {
    throw new GatewayError('unsupported_capability', 'Anthropic has no embeddings endpoint.');
  },
};
