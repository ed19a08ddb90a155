import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelConfig, ProviderConfig } from '../config/types.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { Reservation } from '../budgets/budget-guard.js';
import type { Principal } from '../http/auth.js';
import type { RouteDecision } from '../routing/policy.js';
import { formatNanoCny, type Cost } from '../pricing/cost.js';
import type { FlagshipEquivalent, Pricer } from '../pricing/pricer.js';
import type { CacheDirective, CachePlan, CacheStatus } from '../cache/exact-cache.js';
import type { SemanticPlan } from '../cache/semantic-stage.js';
import { zeroUsage } from '../canonical/usage.js';
import { uuidv7 } from './ids.js';
import type { AigcMetadata } from '../aigc/metadata.js';
import type { PriorityClass } from '../scheduling/priority.js';
import type { CaptureDraft } from '../flywheel/capture-sink.js';

export type Endpoint = 'chat' | 'embeddings' | 'messages' | 'responses';

export interface AttemptRecord {
  readonly model: string;
  readonly provider: string;
  readonly outcome: 'ok' | ErrorCode;
  readonly ms: number;
}

/** Everything known about one request as it moves through the pipeline; the request-log row is made from it. */
export class RequestContext {
  readonly id: string;
  readonly startedAt: number;
  private readonly startedHr = performance.now();
  readonly warnings: string[] = [];
  readonly attempts: AttemptRecord[] = [];
  modelRequested = '';
  /** Who called (set by the HTTP layer), for budgets and rate limits. */
  principal: Principal = { kind: 'open' };
  /** x-tidegate-scenario, when the client named one. */
  scenario: string | undefined;
  routeReason = '';
  /** The route's decision when the client named a route (e.g. "auto"). */
  route: RouteDecision['route'];
  stream = false;
  served: { model: ModelConfig; provider: ProviderConfig } | undefined;
  usage: NormalizedUsage | undefined;
  cost: Cost | undefined;
  /** The same usage priced on the flagship the request is compared against (for the savings report). */
  flagship: FlagshipEquivalent | undefined;
  status = 200;
  errorCode: ErrorCode | undefined;
  firstByteMs: number | undefined;
  /** The budget hold taken before the call; settled with the real cost when the response ends. */
  reservation: Reservation | undefined;
  upstreamMs: number | undefined;
  /** The exact cache's decision; `hit` means no provider was called. */
  cacheStatus: CacheStatus = 'bypass';
  /** The implicit AIGC label of the answer (src/aigc), sent as x-tidegate-aigc and as the AIGC field. */
  aigc: AigcMetadata | undefined;
  /** The client asked for no explicit AIGC label (x-tidegate-aigc-label: off). */
  aigcLabelOff = false;
  /** Personal data found and what was done with it, by type (never the values), e.g. "PHONE:mask×2". */
  privacyFindings: string | undefined;
  /** x-tidegate-session: keeps a conversation on one replica of a self-hosted deployment. */
  sessionId: string | undefined;
  /** The replica that served (index and why), for providers with replicas. */
  replica: string | undefined;
  /** x-tidegate-cache as the client sent it. */
  cacheDirective: CacheDirective = 'default';
  cachePlan: CachePlan | undefined;
  semanticPlan: SemanticPlan | undefined;
  /** Which cache answered a hit, and for a semantic hit how similar the stored question was. */
  cacheKind: 'exact' | 'semantic' | undefined;
  cacheSimilarity: number | undefined;
  /** On a hit: how old the entry was, and what the answer would have cost on the served model now. */
  cacheAgeMs: number | undefined;
  cacheSavedNanoCny = 0;
  /** What the provider's own context cache saved: the same input all at the uncached price, minus the real cost (negative when only cache writes were paid). */
  providerCacheSavedNanoCny = 0;
  /** Priority class (scheduling/priority.ts), the class asked for when the key's cap lowered it, admission wait. */
  priority: PriorityClass | undefined;
  priorityDowngradedFrom: PriorityClass | undefined;
  queueMs: number | undefined;
  /** x-tidegate-episode-id: groups the steps of multi-step work (feedback may score the episode); absent: this request alone. */
  episodeId: string | undefined;
  /** The caller's W3C trace context (traceparent, tracestate), continued by the OpenTelemetry spans (src/telemetry/). */
  traceparent: string | undefined;
  tracestate: string | undefined;
  /** Content kept for learning when the call is opted in to capture (src/flywheel/); written after the response. */
  capture: CaptureDraft | undefined;
  /** The experiment arm this request was given (src/experiments/), sent as x-tidegate-experiment: name/arm. */
  experiment: { readonly name: string; readonly arm: string } | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly apiKeyId: string | undefined,
    readonly clientIp: string | undefined,
    /** Deferred jobs run with a request id per attempt (billed once) and the scheduler's clock. */
    options: { id?: string; startedAt?: number } = {},
  ) {
    this.id = options.id ?? uuidv7();
    this.startedAt = options.startedAt ?? Date.now();
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedHr);
  }

  /** Calls made for this request besides the answer it returns (cascade samples, judges), billed with it. */
  private readonly sideCosts: Array<{ model: string; nanoCny: number }> = [];

  addSideCost(pricer: Pricer, model: ModelConfig, usage: NormalizedUsage): void {
    this.sideCosts.push({ model: model.id, nanoCny: pricer.cost(model, usage, new Date(this.startedAt)).nanoCny });
  }

  /** The route's first flagship, which a routed request's savings are measured against. */
  routeFlagship: string | undefined;

  /** Price the final usage on the served model and on its flagship equivalent. */
  settle(pricer: Pricer, usage: NormalizedUsage): Cost {
    const served = this.served?.model;
    if (!served) throw new Error('settle() before a model served the request');
    const at = new Date(this.startedAt);
    this.usage = usage;
    const own = pricer.cost(served, usage, at);
    if (usage.cacheRead + usage.cacheWrite > 0) {
      const uncached = { ...usage, inputUncached: usage.inputUncached + usage.cacheRead + usage.cacheWrite, cacheRead: 0, cacheWrite: 0 };
      this.providerCacheSavedNanoCny = pricer.cost(served, uncached, at).nanoCny - own.nanoCny;
    }
    const side = this.sideCosts.reduce((sum, entry) => sum + entry.nanoCny, 0);
    this.cost = side === 0 ? own : { ...own, nanoCny: own.nanoCny + side, cny: formatNanoCny(own.nanoCny + side) };
    this.flagship = pricer.flagshipEquivalent(served, usage, at, this.routeFlagship);
    return this.cost;
  }

  /**
   * A cache hit: billed 0 and nothing is counted as used upstream; the cost it avoided is recorded as
   * cache savings, and the answer's flagship equivalent keeps the savings report whole.
   */
  settleCacheHit(pricer: Pricer, answerUsage: NormalizedUsage): Cost {
    const served = this.served?.model;
    if (!served) throw new Error('settleCacheHit() before the cached model was set');
    const at = new Date(this.startedAt);
    const avoided = pricer.cost(served, answerUsage, at);
    this.cacheSavedNanoCny = avoided.nanoCny;
    this.usage = zeroUsage;
    this.cost = { ...avoided, nanoCny: 0, cny: formatNanoCny(0) };
    this.flagship = pricer.flagshipEquivalent(served, answerUsage, at, this.routeFlagship);
    return this.cost;
  }

  markFirstByte(): void {
    this.firstByteMs ??= this.elapsedMs();
  }
}
