import type { Redis } from 'ioredis';
import { ioredis } from '../../platform/ioredis.js';
import { decodeAnswer, encodeAnswer, type CachedAnswer, type ResponseStore } from './store.js';

const PREFIX = 'tidegate:exact:';

/**
 * Exact-cache entries in Redis, shared by every node: SET with PX (the TTL is Redis's), bounded by the
 * server's maxmemory policy (allkeys-lru recommended). An unreachable Redis is a miss, never an error:
 * commands fail fast instead of queueing while it is down.
 */
export class RedisStore implements ResponseStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  /** Settles at the first connection (or after the connect timeout), so early commands are not refused. */
  private readonly connected: Promise<void>;

  constructor(url: string, private readonly onError: (error: Error) => void = () => {}) {
    this.redis = new (ioredis().Redis)(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      commandTimeout: 1_000,
    });
    this.redis.on('error', (error: Error) => this.onError(error));
    this.connected = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2_000);
      timer.unref();
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
      this.redis.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async get(key: string, now = Date.now()): Promise<CachedAnswer | undefined> {
    try {
      await this.connected;
      const text = await this.redis.get(PREFIX + key);
      if (text === null) return undefined;
      // Redis expires the key on its own clock; the expiry kept in front of the entry also honours the caller's.
      const split = text.indexOf(' ');
      if (split < 0 || Number(text.slice(0, split)) <= now) return undefined;
      return decodeAnswer(text.slice(split + 1));
    } catch (error) {
      this.onError(error as Error);
      return undefined;
    }
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number, now = Date.now()): Promise<void> {
    try {
      await this.connected;
      await this.redis.set(PREFIX + key, `${now + ttlMs} ${encodeAnswer(answer)}`, 'PX', Math.max(1, ttlMs));
    } catch (error) {
      this.onError(error as Error);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.connected;
      await this.redis.del(PREFIX + key);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    await this.connected;
    let entries = 0;
    let bytes = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 500);
      cursor = next;
      entries += keys.length;
      for (const key of keys) bytes += await this.redis.strlen(key);
    } while (cursor !== '0');
    return { entries, bytes };
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
