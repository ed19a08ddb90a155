import type { EvalMessage } from './evaluators/types.js';

/** What the replay and the judge send: an OpenAI chat completion request, text only. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly EvalMessage[];
  readonly temperature?: number;
  readonly max_tokens?: number;
}

export interface ChatAnswer {
  readonly content: string;
  /** x-tidegate-model: the model that actually served (a route may pick another). */
  readonly servedBy: string | undefined;
  /** x-tidegate-cost-cny as a number (for totals in the report). */
  readonly costCny: number | undefined;
  readonly requestId: string | undefined;
  readonly latencyMs: number;
}

/** Something that answers chat requests: the gateway over HTTP (gateway-chat-client.ts) or a fake in tests. */
export interface ChatClient {
  complete(request: ChatRequest): Promise<ChatAnswer>;
}

/** A call that failed after its retries, with the gateway's stable error code when it sent one. */
export class ChatCallError extends Error {
  override readonly name = 'ChatCallError';
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}
