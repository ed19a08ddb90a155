import type { GatewayConfig } from '../../config/types.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { ResponseStore } from './store.js';

/** The configured exact-cache store. */
export function openResponseStore(config: GatewayConfig, cwd: string, onError: (error: Error) => void): ResponseStore {
  const { store, maxBytes, path } = config.cache.exact;
  if (store === 'sqlite') return new SqliteStore(path, maxBytes, cwd);
  if (store === 'redis') return new RedisStore(config.redis.url!, onError);
  return new MemoryStore(maxBytes);
}
