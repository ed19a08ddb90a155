import type { ChatResponse } from '../../canonical/chat.js';
import type { NormalizedUsage } from '../../canonical/usage.js';

/** What an exact-cache entry holds: the finished answer, its usage and the deployment that produced it. */
export interface CachedAnswer {
  readonly response: ChatResponse;
  readonly usage: NormalizedUsage;
  /** The model id that answered (the key names it too; kept for the log row and headers). */
  readonly model: string;
  /** Epoch ms when stored, for x-tidegate-cache-age. */
  readonly storedAt: number;
}

/**
 * One contract for every store (memory, SQLite, Redis); test/cache/exact-store.test.ts runs the same
 * suite on each. Entries expire after their TTL; stores bound their size and evict the least recently used.
 */
export interface ResponseStore {
  readonly kind: 'memory' | 'sqlite' | 'redis';
  get(key: string, now?: number): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlMs: number, now?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Entries and bytes held (approximate for Redis, which bounds itself with maxmemory). */
  stats(): Promise<{ entries: number; bytes: number }>;
  close(): Promise<void>;
}

export function encodeAnswer(answer: CachedAnswer): string {
  return JSON.stringify(answer);
}

export function decodeAnswer(text: string): CachedAnswer | undefined {
  try {
    const value = JSON.parse(text) as CachedAnswer;
    return value && typeof value === 'object' && value.response && value.usage ? value : undefined;
  } catch {
    return undefined; // a corrupt entry is a miss, never an error
  }
}
