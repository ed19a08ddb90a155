import { Redis } from 'ioredis';

/** Cluster tests use Redis database 14 (15 belongs to the cache store tests) and a key prefix per test. */
export const REDIS_URL = process.env['TIDEGATE_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379/14';

export const uniquePrefix = (tag: string): string => `tgtest-${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * Deletes every key under a test's prefix (keys carry the prefix as their hash tag: "{prefix}:..."). Also used by
 * bench/cluster-writes.ts, with its own Redis URL.
 */
export async function deletePrefix(prefix: string, url: string = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
}
