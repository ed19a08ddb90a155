import { AsyncLocalStorage } from 'node:async_hooks';
import type { NormalizedUsage } from '../canonical/usage.js';

/**
 * What one upstream attempt learns as it goes, for its CLIENT span: the transport adds the address it
 * called and sends `traceparent`; the adapter wrapper (tracing-adapter.ts) adds the response's id, model,
 * finish reasons and usage, and says when the answer is complete. Never any content.
 */
export interface AttemptScope {
  readonly traceparent: string;
  address?: string;
  port?: number;
  requestParams?: { maxTokens?: number; temperature?: number; topP?: number; stream?: boolean };
  responseId?: string;
  responseModel?: string;
  readonly finishReasons: Set<string>;
  usage?: NormalizedUsage;
  /** The answer is complete (or broke off with `error`). */
  complete(error?: unknown): void;
}

// Created only when telemetry is on: a gateway without it never enables async context tracking.
let storage: AsyncLocalStorage<AttemptScope> | undefined;

/** The attempt being made on this async path, when telemetry traces it. */
export function currentAttempt(): AttemptScope | undefined {
  return storage?.getStore();
}

export function runInAttempt<T>(scope: AttemptScope, run: () => Promise<T>): Promise<T> {
  storage ??= new AsyncLocalStorage<AttemptScope>();
  return storage.run(scope, run);
}
