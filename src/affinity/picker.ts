/**
 * The picker contract shared by prefix affinity and the baselines, and the common bookkeeping:
 * replica list, health, load tracking and sticky sessions.
 */
import type { PromptInput } from './block-hash.js';
import { LoadTracker, type LoadTrackerOptions } from './load.js';
import type { ReplicaMetrics } from './metrics.js';

export interface PickRequest {
  prompt: PromptInput;
  /** Sticky-session key (a header or a `user`/`prompt_cache_key` field): stays on its replica while healthy. */
  sessionId?: string;
}

export type PickReason =
  | 'session' // sticky session
  | 'prefix' // longest cached prefix
  | 'balance' // load imbalance overrode affinity
  | 'least-loaded' // no useful match, or the least-loaded policy
  | 'round-robin'
  | 'hash'; // consistent hashing

export interface PickResult {
  replica: string;
  /** Router-side estimate of the blocks the replica holds (the engine reports the truth). */
  matchedBlocks: number;
  totalBlocks: number;
  reason: PickReason;
}

export interface ReplicaPicker {
  readonly name: string;
  readonly replicas: readonly string[];
  pick(request: PickRequest): PickResult;
  /** Call when a request is sent to the replica ... */
  onStart(replica: string): void;
  /** ... and when it has finished (success or failure). */
  onFinish(replica: string): void;
  /**
   * The replica answered `request` with `answer` (optional): a picker that tracks cached prefixes records
   * prompt + answer, which the engine now holds and the conversation's next turn starts with.
   */
  onAnswer?(replica: string, request: PickRequest, answer: string): void;
  updateMetrics(replica: string, metrics: ReplicaMetrics): void;
  setHealthy(replica: string, healthy: boolean): void;
}

export class NoHealthyReplicaError extends Error {
  constructor() {
    super('no healthy replica');
    this.name = 'NoHealthyReplicaError';
  }
}

export interface BasePickerOptions extends LoadTrackerOptions {
  replicas: readonly string[];
  /** Bound on remembered sessions (LRU), default 100 000. */
  maxSessions?: number;
}

export abstract class BasePicker implements ReplicaPicker {
  abstract readonly name: string;
  readonly replicas: readonly string[];
  protected readonly load: LoadTracker;
  private readonly unhealthy = new Set<string>();
  private readonly sessions = new Map<string, string>();
  private readonly maxSessions: number;
  private rotation = 0;

  constructor(options: BasePickerOptions) {
    if (options.replicas.length === 0) throw new RangeError('at least one replica is required');
    if (new Set(options.replicas).size !== options.replicas.length) throw new RangeError('replica ids must be unique');
    this.replicas = [...options.replicas];
    this.load = new LoadTracker(options);
    this.maxSessions = options.maxSessions ?? 100_000;
  }

  abstract pick(request: PickRequest): PickResult;

  onStart(replica: string): void {
    this.load.onStart(replica);
  }

  onFinish(replica: string): void {
    this.load.onFinish(replica);
  }

  updateMetrics(replica: string, metrics: ReplicaMetrics): void {
    this.load.updateMetrics(replica, metrics);
  }

  setHealthy(replica: string, healthy: boolean): void {
    if (healthy) this.unhealthy.delete(replica);
    else this.unhealthy.add(replica);
  }

  /** The load the picker sees for a replica (running + waiting, or in-flight). */
  loadOf(replica: string): number {
    return this.load.load(replica);
  }

  protected healthy(): string[] {
    const list = this.replicas.filter((r) => !this.unhealthy.has(r));
    if (list.length === 0) throw new NoHealthyReplicaError();
    return list;
  }

  protected isHealthy(replica: string): boolean {
    return this.replicas.includes(replica) && !this.unhealthy.has(replica);
  }

  /** The replica a session is bound to, if it is still healthy. */
  protected stickyReplica(sessionId: string | undefined): string | undefined {
    if (sessionId === undefined) return undefined;
    const replica = this.sessions.get(sessionId);
    if (replica === undefined || !this.isHealthy(replica)) return undefined;
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, replica);
    return replica;
  }

  protected bindSession(sessionId: string | undefined, replica: string): void {
    if (sessionId === undefined) return;
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, replica);
    if (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
  }

  /** Next index of a rotating counter, for round-robin and fair tie-breaking. */
  protected rotate(): number {
    return this.rotation++;
  }

  /**
   * The least-loaded of `candidates`; ties broken by `preference` (higher first), then KV usage, then
   * a rotating start so equal replicas share the work.
   */
  protected leastLoaded(candidates: readonly string[], preference?: (replica: string) => number): string {
    const start = this.rotate() % candidates.length;
    let best = candidates[start]!;
    for (let k = 1; k < candidates.length; k++) {
      const replica = candidates[(start + k) % candidates.length]!;
      const dl = this.load.load(replica) - this.load.load(best);
      const dp = preference ? preference(replica) - preference(best) : 0;
      const dk = this.load.kvUsage(replica) - this.load.kvUsage(best);
      if (dl < 0 || (dl === 0 && (dp > 0 || (dp === 0 && dk < 0)))) best = replica;
    }
    return best;
  }
}
