import type { Redis } from 'ioredis';
import { ioredis } from '../platform/ioredis.js';

/**
 * The Redis connection cluster state goes through. Commands fail fast while Redis is unreachable (no
 * offline queue, a short command timeout) so a request never waits on a dead Redis longer than that;
 * ioredis keeps reconnecting in the background. The error listener is required: without one an
 * unreachable Redis would crash the process.
 */
export function openClusterRedis(url: string, commandTimeoutMs: number, onError: (error: Error) => void): Redis {
  const redis = new (ioredis().Redis)(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: Math.max(500, commandTimeoutMs * 4),
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
  });
  redis.on('error', onError);
  return redis;
}

/** Resolves when the connection is ready, or after `timeoutMs` (the caller then starts degraded). */
export function whenReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', ready);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    const ready = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', ready);
  });
}
