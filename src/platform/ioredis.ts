import { createRequire } from 'node:module';

type IoRedis = typeof import('ioredis');

let loaded: IoRedis | undefined;

/**
 * ioredis, loaded the first time something actually talks to Redis. A static import costs every gateway
 * ~17 MiB of resident memory at start-up (its module graph and dependencies), and the default
 * configuration never uses Redis. ioredis is CommonJS, so a synchronous require keeps its callers sync.
 */
export function ioredis(): IoRedis {
  loaded ??= createRequire(import.meta.url)('ioredis') as IoRedis;
  return loaded;
}
