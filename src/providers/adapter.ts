import type { ChatChunk, ChatRequest, ChatResponse, EmbeddingsRequest, EmbeddingsResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelConfig, ProviderConfig } from '../config/types.js';
import type { PresetDefinition } from './preset.js';

/** One call to one provider deployment. `body.model` is already the upstream model name. */
export interface UpstreamCall<Body> {
  readonly provider: ProviderConfig;
  readonly preset: PresetDefinition;
  readonly model: ModelConfig;
  readonly body: Body;
  readonly signal: AbortSignal;
  /** Adapters report request adjustments here (e.g. a parameter the provider cannot take); never silent. */
  readonly warnings?: string[];
}

export interface ChatResult {
  /** OpenAI-shaped response; `usage` is the provider's own, normalised separately below. */
  readonly response: ChatResponse;
  readonly usage: NormalizedUsage;
}

/**
 * Events of a streamed answer, in OpenAI chunk shape. Usage is taken out of chunks and delivered once
 * as a `usage` event; a moderation cut-off arrives as `moderated` and ends the stream.
 */
export type StreamEvent =
  /** `raw` is the provider's JSON text when the chunk was not changed, so it can be forwarded without re-serialising. */
  | { readonly type: 'chunk'; readonly chunk: ChatChunk; readonly raw?: string }
  | { readonly type: 'usage'; readonly usage: NormalizedUsage }
  | { readonly type: 'moderated'; readonly message: string };

export interface EmbeddingsResult {
  readonly response: EmbeddingsResponse;
  readonly usage: NormalizedUsage;
}

/** One interface for every provider. Failures are thrown as GatewayError with a catalogue code. */
export interface ProviderAdapter {
  chat(call: UpstreamCall<ChatRequest>): Promise<ChatResult>;
  /** Throws before yielding anything if the provider fails before its first event. */
  chatStream(call: UpstreamCall<ChatRequest>): AsyncIterable<StreamEvent>;
  embeddings(call: UpstreamCall<EmbeddingsRequest>): Promise<EmbeddingsResult>;
}
