import type { ChatMessage } from '../canonical/chat.js';
import type { RouterSignal } from './policy.js';

/** What the gateway needs from a learned router: a version, a score per request, calibrated thresholds. */
export interface LearnedRouter {
  readonly version: string;
  score(messages: ReadonlyArray<{ role: string; content?: unknown }>): number;
  thresholdForTarget(target: number): { threshold: number; expectedFlagshipShare: number; expectedQualityKept: number };
}

/** Adapts a learned router to the policy's signal, caching thresholds per target (they never change at run time). */
export class RouterService {
  private readonly thresholds = new Map<number, ReturnType<LearnedRouter['thresholdForTarget']>>();

  constructor(readonly router: LearnedRouter) {}

  calibration(target: number): ReturnType<LearnedRouter['thresholdForTarget']> {
    let found = this.thresholds.get(target);
    if (!found) {
      found = this.router.thresholdForTarget(target);
      this.thresholds.set(target, found);
    }
    return found;
  }

  signal(messages: readonly ChatMessage[]): RouterSignal {
    return {
      version: this.router.version,
      score: this.router.score(messages),
      thresholdFor: (target) => this.calibration(target).threshold,
    };
  }
}
