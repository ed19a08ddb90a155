import { loadRouter, thresholdForTarget } from '../router/index.js';
import type { LearnedRouter } from './router-service.js';

/** The router shipped in the repository (src/router/artifacts), adapted to what the gateway needs. Loaded once. */
export function loadDefaultRouter(path?: string): LearnedRouter {
  const router = path === undefined ? loadRouter() : loadRouter(path);
  return {
    version: router.version,
    score: (messages) => router.score(messages as Array<{ role: string; content?: unknown }>),
    thresholdForTarget: (target) => thresholdForTarget(router, target),
  };
}
