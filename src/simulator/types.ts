import type { BatchStore } from './batch-api.js';

/** Public types of the provider simulator (a fake upstream used by e2e tests, the benchmark and `tidegate demo`). */

export type ErrorClass =
  | 'rate_limit'
  | 'insufficient_balance'
  | 'content_rejected'
  | 'auth'
  | 'bad_request'
  | 'server_error'
  | 'overloaded';

export interface UsageOverride {
  prompt: number;
  completion: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
}

export type ScriptStep =
  | {
      kind: 'ok';
      content?: string;
      reasoning?: string;
      toolCall?: { name: string; arguments: string };
      usage?: Partial<UsageOverride>;
      /** e.g. 'length' for an answer cut at max_tokens. */
      finishReason?: 'stop' | 'length' | 'tool_calls';
    }
  | { kind: 'error'; status: number; retryAfter?: string; error: ErrorClass }
  | { kind: 'delay'; ms: number; then?: ScriptStep }
  | { kind: 'stall-after-first-chunk'; ms: number }
  | { kind: 'moderated-mid-stream' }
  | { kind: 'cut-mid-stream' }
  | { kind: 'malformed-chunk' }
  | { kind: 'ok-200-error' }
  /** A broken provider or a proxy in front of one: exactly these bytes, with this status and content type. */
  | { kind: 'raw'; body: string; status?: number; contentType?: string };

export interface RecordedRequest {
  preset: string;
  path: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  at: number;
}

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Added before every answer's headers. */
  latencyMs?: number;
  /** Spacing between streamed chunks. */
  tokenDelayMs?: number;
}

export interface Simulator {
  url: string;
  /** Providers' batch APIs: the batches received (lines, status) and their timing (validatingMs, inProgressMs, expiry). */
  batches: BatchStore;
  baseUrlFor(preset: string): string;
  script(preset: string, steps: ScriptStep[]): void;
  requests: RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

/** Token counts of one simulated answer, before any preset-specific formatting. */
export interface SimUsage {
  prompt: number;
  completion: number;
  cached: number;
  cacheWrite: number;
  reasoning: number;
}

/** What a successful answer says, independent of dialect. */
export interface AnswerPlan {
  model: string;
  content: string | null;
  reasoning?: string;
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: SimUsage;
}
