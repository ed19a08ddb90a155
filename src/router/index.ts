/** Public API of the learned router, used by the gateway for `model: auto`. */
import { chooseThreshold } from './calibrate.js';
import { LinearScorer, readArtifact, type RouterArtifact } from './model.js';
import { DEFAULT_ARTIFACT } from './paths.js';

export type { RouterArtifact } from './model.js';
export type { ChatMessage } from './features.js';

export interface Router {
  version: string;
  /** Higher = the flagship is more needed. Deterministic; reads the system prompt and the last user turn. */
  score(messages: Array<{ role: string; content?: unknown }>): number;
}

interface LoadedRouter extends Router { artifact: RouterArtifact }

const loaded = new Map<string, LoadedRouter>();

/** Loads (once per path) a router artifact; default: the shipped src/router/artifacts/router-v2.json. */
export function loadRouter(path: string = DEFAULT_ARTIFACT): Router {
  const hit = loaded.get(path);
  if (hit) return hit;
  const artifact = readArtifact(path);
  const scorer = new LinearScorer(artifact);
  const router: LoadedRouter = { version: artifact.version, artifact, score: (messages) => scorer.score(messages) };
  loaded.set(path, router);
  return router;
}

export function routerFromArtifact(artifact: RouterArtifact): Router {
  const scorer = new LinearScorer(artifact);
  return Object.assign({ version: artifact.version, score: (m: Array<{ role: string; content?: unknown }>) => scorer.score(m) }, { artifact });
}

/** Threshold for a quality target (e.g. 0.95 of always-flagship quality) from the artifact's calibration data. */
export function thresholdForTarget(router: Router, target: number): { threshold: number; expectedFlagshipShare: number; expectedQualityKept: number } {
  const artifact = (router as Partial<LoadedRouter>).artifact;
  if (!artifact) throw new Error('thresholdForTarget needs a router from loadRouter()');
  return chooseThreshold(artifact.calibration.points, target);
}
