/**
 * Per-replica load: the gateway's own in-flight counts, combined with the replicas' /metrics when a
 * fresh sample exists. A sample is fresh for `metricsMaxAgeMs`; requests dispatched since the sample are
 * added to it (the engine has not seen them yet), and the gateway's own count is a floor, so a stale or
 * lagging scrape never makes a busy replica look idle. Without a fresh sample the in-flight count is used.
 */
import type { ReplicaMetrics } from './metrics.js';

interface ReplicaLoad {
  inFlight: number;
  metrics?: ReplicaMetrics;
  sampledAt: number;
  startedSinceSample: number;
}

export interface LoadTrackerOptions {
  /** How long a metrics sample is trusted (default 2000 ms). */
  metricsMaxAgeMs?: number;
  /** Clock in ms (default performance.now); injected for virtual-time simulations and tests. */
  now?: () => number;
}

export class LoadTracker {
  private readonly loads = new Map<string, ReplicaLoad>();
  private readonly maxAgeMs: number;
  readonly now: () => number;

  constructor(options: LoadTrackerOptions = {}) {
    this.maxAgeMs = options.metricsMaxAgeMs ?? 2000;
    this.now = options.now ?? (() => performance.now());
  }

  private entry(replica: string): ReplicaLoad {
    let entry = this.loads.get(replica);
    if (!entry) {
      entry = { inFlight: 0, sampledAt: -Infinity, startedSinceSample: 0 };
      this.loads.set(replica, entry);
    }
    return entry;
  }

  onStart(replica: string): void {
    const entry = this.entry(replica);
    entry.inFlight++;
    entry.startedSinceSample++;
  }

  onFinish(replica: string): void {
    const entry = this.entry(replica);
    entry.inFlight = Math.max(0, entry.inFlight - 1);
  }

  updateMetrics(replica: string, metrics: ReplicaMetrics): void {
    const entry = this.entry(replica);
    entry.metrics = metrics;
    entry.sampledAt = this.now();
    entry.startedSinceSample = 0;
  }

  inFlight(replica: string): number {
    return this.loads.get(replica)?.inFlight ?? 0;
  }

  /** The fresh metrics sample, if any. */
  metrics(replica: string): ReplicaMetrics | undefined {
    const entry = this.loads.get(replica);
    if (!entry?.metrics || this.now() - entry.sampledAt > this.maxAgeMs) return undefined;
    return entry.metrics;
  }

  /** Requests at the replica: running + waiting (+ dispatched since the sample), at least the in-flight count. */
  load(replica: string): number {
    const entry = this.loads.get(replica);
    if (!entry) return 0;
    const metrics = this.metrics(replica);
    if (!metrics) return entry.inFlight;
    return Math.max(entry.inFlight, metrics.running + metrics.waiting + entry.startedSinceSample);
  }

  /** KV-cache usage from a fresh sample, 0 when unknown. */
  kvUsage(replica: string): number {
    return this.metrics(replica)?.kvCacheUsage ?? 0;
  }

  /** Forgets a replica's metrics (for example after a restart); in-flight counts are kept. */
  resetMetrics(replica: string): void {
    const entry = this.loads.get(replica);
    if (entry) {
      delete entry.metrics;
      entry.sampledAt = -Infinity;
    }
  }
}
