import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/cache/exact/memory-store.js';
import { RedisStore } from '../../src/cache/exact/redis-store.js';
import { SqliteStore } from '../../src/cache/exact/sqlite-store.js';
import type { CachedAnswer, ResponseStore } from '../../src/cache/exact/store.js';

const REDIS_URL = process.env.TIDEGATE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-cache-'));
  dirs.push(dir);
  return join(dir, 'cache.db');
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function answer(text: string): CachedAnswer {
  return {
    response: { id: `chatcmpl-${text.length}`, object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] },
    usage: { inputUncached: 10, cacheRead: 0, cacheWrite: 0, output: 3, reasoning: 0, imageTokens: 0, estimated: false },
    model: 'm',
    storedAt: 1_000,
  };
}

interface StoreTarget {
  name: string;
  /** Stores that bound themselves by bytes with LRU eviction (Redis leaves that to maxmemory). */
  bounded: boolean;
  open(maxBytes: number): ResponseStore;
}

const targets: StoreTarget[] = [
  { name: 'memory', bounded: true, open: (maxBytes) => new MemoryStore(maxBytes) },
  { name: 'sqlite', bounded: true, open: (maxBytes) => new SqliteStore(tempFile(), maxBytes) },
  { name: 'redis', bounded: false, open: () => new RedisStore(REDIS_URL) },
];

describe.each(targets)('exact cache store contract: $name', (target) => {
  let store: ResponseStore;
  beforeEach(async () => {
    if (target.name === 'redis') {
      const redis = new Redis(REDIS_URL);
      await redis.flushdb();
      redis.disconnect();
    }
    store = target.open(1_000_000);
    return () => store.close();
  });

  it('returns what was stored, as a copy the caller cannot change', async () => {
    const now = 10_000;
    await store.set('k1', answer('hello'), 60_000, now);
    const got = await store.get('k1', now + 1);
    expect(got).toEqual(answer('hello'));
    got!.response.choices[0]!.message.content = 'changed';
    expect((await store.get('k1', now + 2))!.response.choices[0]!.message.content).toBe('hello');
    expect(await store.get('k2', now)).toBeUndefined();
  });

  it('expires entries after their TTL', async () => {
    const now = Date.now();
    await store.set('k', answer('soon gone'), 5_000, now);
    expect(await store.get('k', now + 4_999)).toBeDefined();
    expect(await store.get('k', now + 5_000)).toBeUndefined();
  });

  it('overwrites and deletes', async () => {
    const now = Date.now();
    await store.set('k', answer('one'), 60_000, now);
    await store.set('k', answer('two'), 60_000, now);
    expect((await store.get('k', now))!.response.choices[0]!.message.content).toBe('two');
    expect((await store.stats()).entries).toBe(1);
    await store.delete('k');
    expect(await store.get('k', now)).toBeUndefined();
  });

  it.runIf(target.bounded)('stays within its byte bound, evicting the least recently used', async () => {
    await store.close();
    const size = JSON.stringify(answer('x'.repeat(100))).length + 2;
    store = target.open(size * 3 + 10);
    const now = Date.now();
    await store.set('a', answer('a'.repeat(100)), 60_000, now);
    await store.set('b', answer('b'.repeat(100)), 60_000, now + 1);
    await store.set('c', answer('c'.repeat(100)), 60_000, now + 2);
    expect(await store.get('a', now + 3)).toBeDefined(); // a is now the most recently used
    await store.set('d', answer('d'.repeat(100)), 60_000, now + 4);
    expect(await store.get('b', now + 5)).toBeUndefined();
    expect(await store.get('a', now + 5)).toBeDefined();
    expect(await store.get('d', now + 5)).toBeDefined();
    const stats = await store.stats();
    expect(stats.bytes).toBeLessThanOrEqual(size * 3 + 10);
    await store.set('huge', answer('h'.repeat(10_000)), 60_000, now + 6);
    expect(await store.get('huge', now + 7)).toBeUndefined(); // larger than the whole cache: not stored
  });
});

describe('SQLite store', () => {
  it('keeps entries across a restart', async () => {
    const file = tempFile();
    const first = new SqliteStore(file, 1_000_000);
    await first.set('k', answer('persisted'), 60_000);
    await first.close();
    const second = new SqliteStore(file, 1_000_000);
    expect((await second.get('k'))!.response.choices[0]!.message.content).toBe('persisted');
    await second.close();
  });
});

describe('Redis store', () => {
  it('treats an unreachable server as a miss, not an error', async () => {
    const errors: Error[] = [];
    const store = new RedisStore('redis://127.0.0.1:1', (error) => errors.push(error));
    await store.set('k', answer('lost'), 60_000);
    expect(await store.get('k')).toBeUndefined();
    await store.close();
    expect(errors.length).toBeGreaterThan(0);
  });
});
