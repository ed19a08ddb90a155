import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GatewayError } from '../errors/catalogue.js';
import type { Logger } from '../logging/logger.js';
import { budgetExhausted, type BudgetEnforcer, type BudgetScope, type Reservation, type ScopeReport, type SpendSource } from './budget-guard.js';
import { commitScript, periodNumbers, reserveScript, seedScript } from './budget-scripts.js';
import { LocalShares, type ScopeSnapshot } from './local-shares.js';
import { periodsAt } from './periods.js';

export interface SharedBudgetOptions {
  /** Key prefix; also the hash tag that keeps every budget key in one slot. */
  readonly prefix: string;
  /** A hold not settled by then is charged in full and released (its node died). */
  readonly holdTtlMs: number;
  /** Nodes sharing the budgets (heartbeat set or config), for the shares while Redis is down. */
  nodes(): number;
  /** Whether this scope refuses requests while Redis is down instead of enforcing a local share. */
  failClosed(scopeId: string): boolean;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** Counters an operator reads in /healthz. */
export interface SharedBudgetStatus {
  mode: 'shared' | 'degraded-local';
  degradedSince: string | null;
  degradedEpisodes: number;
  localAdmissions: number;
  failClosedRefusals: number;
  pendingCommits: number;
}

interface PendingCommit {
  /** hold: settles a reservation made in Redis; delta: spend made on a local share while Redis was down. */
  readonly mode: 'hold' | 'delta';
  readonly id: string;
  readonly scopes: readonly string[];
  readonly worst: number;
  readonly actual: number;
}

class SpendSourceError extends Error {
  constructor(cause: unknown) {
    super(`could not read spend from the request log: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

type ScriptRunner = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

const retryRedisAfterMs = 1_000;
const pendingLimit = 100_000;

/**
 * Budgets and rpm limits shared by every node through Redis. A request reserves its worst case in every
 * scope in one Lua script (on the Redis clock); settling swaps the hold for the real cost; a hold whose
 * node died expires after `holdTtlMs` and is charged in full. Spend already billed is seeded once per
 * scope from the request log (PostgreSQL), never incremented, so racing nodes cannot inflate it.
 *
 * While Redis is unreachable the node enforces its share (LocalShares) or, for fail-closed scopes,
 * refuses with budget_store_unavailable; what it spends meanwhile is pushed to Redis when it is back.
 */
export class RedisBudgetGuard implements BudgetEnforcer {
  private readonly snapshots = new Map<string, ScopeSnapshot>();
  private readonly pending: PendingCommit[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private local: LocalShares | undefined;
  private degradedSince: number | null = null;
  private retryAt = 0;
  private flushing: Promise<void> | undefined;
  private recovery: NodeJS.Timeout | undefined;
  private readonly counters = { degradedEpisodes: 0, localAdmissions: 0, failClosedRefusals: 0 };
  private readonly reserveCommand: ScriptRunner;
  private readonly commitCommand: ScriptRunner;
  private readonly seedCommand: ScriptRunner;
  private readonly now: () => number;

  constructor(private readonly redis: Redis, private readonly source: SpendSource, private readonly options: SharedBudgetOptions) {
    this.now = options.now ?? Date.now;
    redis.defineCommand('tidegateBudgetReserve', { lua: reserveScript });
    redis.defineCommand('tidegateBudgetCommit', { lua: commitScript });
    redis.defineCommand('tidegateBudgetSeed', { lua: seedScript });
    const commands = redis as unknown as Record<string, ScriptRunner>;
    this.reserveCommand = commands['tidegateBudgetReserve']!.bind(redis);
    this.commitCommand = commands['tidegateBudgetCommit']!.bind(redis);
    this.seedCommand = commands['tidegateBudgetSeed']!.bind(redis);
    redis.on('ready', () => {
      this.retryAt = 0;
      void this.flushPending();
    });
  }

  async reserve(scopes: readonly BudgetScope[], worstNano: number): Promise<Reservation> {
    const limited = scopes.filter((scope) => scope.dailyNano !== null || scope.monthlyNano !== null || scope.rpm !== null);
    if (limited.length === 0) return { heldNano: 0, settle: () => undefined };
    const worst = Math.max(0, Math.ceil(worstNano));
    if (this.redisUsable()) {
      try {
        return await this.reserveShared(limited, worst);
      } catch (error) {
        if (error instanceof GatewayError || error instanceof SpendSourceError) throw error;
        this.enterDegraded(error as Error);
      }
    } else {
      this.enterDegraded(new Error(`Redis connection is ${this.redis.status}`));
    }
    return this.reserveLocal(limited, worst);
  }

  report(scopeId: string): ScopeReport | undefined {
    const snapshot = this.snapshots.get(scopeId);
    if (!snapshot) return undefined;
    const periods = periodsAt(this.now());
    return {
      scope: scopeId,
      spentTodayNano: snapshot.at >= periods.dayStart ? snapshot.spentDay : 0,
      spentMonthNano: snapshot.at >= periods.monthStart ? snapshot.spentMonth : 0,
      reservedNano: snapshot.held,
    };
  }

  /** Reads the scopes' current spend and holds from Redis, so any node's admin view shows the fleet's. */
  async refresh(scopeIds: readonly string[]): Promise<void> {
    if (!this.redisUsable() || scopeIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const scopeId of scopeIds) pipeline.hmget(this.keys(scopeId).state, 'seeded', 'day', 'month', 'sd', 'sm', 'held');
    const replies = (await pipeline.exec().catch(() => null)) ?? [];
    const at = this.now();
    const current = periodNumbers(at);
    replies.forEach(([error, value], index) => {
      const fields = value as Array<string | null> | null;
      if (error || !fields || fields[0] === null) return;
      this.snapshots.set(scopeIds[index]!, {
        spentDay: Number(fields[1]) === current.day ? Number(fields[3]) : 0,
        spentMonth: Number(fields[2]) === current.month ? Number(fields[4]) : 0,
        held: Number(fields[5] ?? 0),
        at,
      });
    });
  }

  status(): SharedBudgetStatus {
    return {
      mode: this.degradedSince === null ? 'shared' : 'degraded-local',
      degradedSince: this.degradedSince === null ? null : new Date(this.degradedSince).toISOString(),
      ...this.counters,
      pendingCommits: this.pending.length,
    };
  }

  /** Waits for commits in flight and pushes what is pending (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
    if (this.redisUsable()) await this.flushPending();
  }

  /** Pushes what it can and stops the recovery timer; the Redis connection belongs to the caller. */
  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    // Shutdown: commits that waited out a slow Redis (the back-off after a timeout) get one last try even inside
    // the back-off, or they would leave with the process and their holds would be charged in full at expiry.
    if (this.pending.length > 0 && this.redis.status === 'ready') {
      this.retryAt = 0;
      await this.flushPending().catch(() => undefined);
    }
    clearInterval(this.recovery);
  }

  private redisUsable(): boolean {
    return this.redis.status === 'ready' && this.now() >= this.retryAt;
  }

  private keys(scopeId: string): { state: string; holds: string; expired: string; recent: string } {
    const base = `{${this.options.prefix}}:budget:${scopeId}`;
    return { state: `${base}:state`, holds: `${base}:holds`, expired: `${base}:expired`, recent: `${base}:rpm` };
  }

  private async reserveShared(scopes: readonly BudgetScope[], worst: number): Promise<Reservation> {
    const id = randomUUID();
    const keys = scopes.flatMap((scope) => {
      const k = this.keys(scope.id);
      return [k.state, k.holds, k.expired, k.recent];
    });
    const args = [worst, id, this.options.holdTtlMs, scopes.length, ...scopes.flatMap((scope) => [scope.dailyNano ?? -1, scope.monthlyNano ?? -1, scope.rpm ?? -1])];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const reply = (await this.reserveCommand(keys.length, ...keys, ...args)) as Array<number | string>;
      const redisNow = Number(reply[1]);
      if (reply[0] === 2) {
        await this.seed(reply.slice(2).map((index) => scopes[Number(index) - 1]!), redisNow);
        continue;
      }
      if (this.pending.length > 0) this.track(this.flushPending());
      else this.leaveDegraded();
      if (reply[0] === 0) throw this.refusal(scopes[Number(reply[2]) - 1]!, reply, worst, redisNow);
      scopes.forEach((scope, index) => this.remember(scope.id, reply, 2 + index * 3, redisNow));
      return this.sharedReservation(id, scopes.map((scope) => scope.id), worst);
    }
    throw new Error('budget seeding did not settle after 3 attempts');
  }

  private async seed(scopes: readonly BudgetScope[], redisNow: number): Promise<void> {
    const periods = periodsAt(redisNow);
    const numbers = periodNumbers(redisNow);
    await Promise.all(
      scopes.map(async (scope) => {
        let day: number;
        let month: number;
        try {
          [day, month] = await Promise.all([this.source.spendSince(scope.id, periods.dayStart), this.source.spendSince(scope.id, periods.monthStart)]);
        } catch (error) {
          throw new SpendSourceError(error); // the database failed, not Redis: no degraded mode for that
        }
        await this.seedCommand(1, this.keys(scope.id).state, day, month, numbers.day, numbers.month);
      }),
    );
  }

  private refusal(scope: BudgetScope, reply: Array<number | string>, worst: number, redisNow: number): GatewayError {
    const kind = String(reply[3]);
    const [limit, spent, held, retryMs] = [Number(reply[4]), Number(reply[5]), Number(reply[6]), Number(reply[7])];
    if (kind === 'rpm') {
      return new GatewayError('rate_limited', `${scope.label} allows ${limit} requests per minute across all nodes; retry in ${Math.ceil(retryMs / 1000)} s.`, { retryAfterMs: retryMs });
    }
    const periods = periodsAt(redisNow);
    const resetsAt = kind === 'daily' ? periods.dayEnd : periods.monthEnd;
    return budgetExhausted(scope, kind, limit, spent, held, worst, resetsAt, redisNow);
  }

  private remember(scopeId: string, reply: Array<number | string>, offset: number, at: number): void {
    this.snapshots.set(scopeId, { spentDay: Number(reply[offset]), spentMonth: Number(reply[offset + 1]), held: Number(reply[offset + 2]), at });
  }

  private sharedReservation(id: string, scopeIds: readonly string[], worst: number): Reservation {
    let settled = false;
    return {
      heldNano: worst,
      settle: (actualNano: number) => {
        if (settled) return;
        settled = true;
        this.track(this.commit({ mode: 'hold', id, scopes: scopeIds, worst, actual: Math.max(0, Math.round(actualNano)) }));
      },
    };
  }

  private reserveLocal(scopes: readonly BudgetScope[], worst: number): Promise<Reservation> {
    const closed = scopes.find((scope) => this.options.failClosed(scope.id));
    if (closed) {
      this.counters.failClosedRefusals += 1;
      throw new GatewayError('budget_store_unavailable', `${closed.label} has a fail-closed budget and the shared budget store (Redis) is unreachable; retry shortly.`, { retryAfterMs: retryRedisAfterMs });
    }
    this.local ??= new LocalShares(this.snapshots, this.source, this.options.nodes(), this.now);
    const local = this.local;
    return local.reserve(scopes, worst).then((inner) => {
      this.counters.localAdmissions += 1;
      return {
        heldNano: inner.heldNano,
        settle: (actualNano: number) => {
          inner.settle(actualNano);
          // Spend made while Redis was down is pushed to it when it is back (a commit with nothing held).
          const actual = Math.max(0, Math.round(actualNano));
          if (actual > 0) this.queuePending({ mode: 'delta', id: randomUUID(), scopes: scopes.map((scope) => scope.id), worst: 0, actual });
          if (this.redisUsable()) this.track(this.flushPending());
        },
      };
    });
  }

  private async commit(entry: PendingCommit): Promise<void> {
    if (!this.redisUsable()) {
      this.queuePending(entry);
      return;
    }
    try {
      await this.runCommit(entry);
    } catch (error) {
      this.enterDegraded(error as Error);
      this.queuePending(entry);
    }
  }

  private async runCommit(entry: PendingCommit): Promise<void> {
    const keys = [
      `{${this.options.prefix}}:budget-done:${entry.id}`,
      ...entry.scopes.flatMap((scope) => {
        const k = this.keys(scope);
        return [k.state, k.holds, k.expired];
      }),
    ];
    const reply = (await this.commitCommand(keys.length, ...keys, entry.id, entry.worst, entry.actual, entry.scopes.length, entry.mode)) as number[];
    if (reply[0] !== 1) return;
    const at = this.now();
    entry.scopes.forEach((scope, index) => this.remember(scope, reply, 1 + index * 3, at));
  }

  private flushPending(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = (async () => {
      await Promise.resolve(); // so the finally below runs after `this.flushing` is assigned
      try {
        while (this.pending.length > 0 && this.redisUsable()) {
          const next = this.pending[0]!;
          await this.runCommit(next);
          this.pending.shift();
        }
        if (this.redisUsable()) this.leaveDegraded();
      } catch (error) {
        this.options.logger.debug('budget commits not pushed to Redis yet', { error: (error as Error).message });
        this.enterDegraded(error as Error);
      } finally {
        this.flushing = undefined;
      }
    })();
    this.flushing = run;
    return run;
  }

  private queuePending(entry: PendingCommit): void {
    if (this.pending.length >= pendingLimit) {
      this.options.logger.error('budget commits waiting for Redis exceed the limit; the oldest is dropped (the request log still has it)', { limit: pendingLimit });
      this.pending.shift();
    }
    this.pending.push(entry);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private enterDegraded(error: Error): void {
    this.retryAt = this.now() + retryRedisAfterMs;
    if (this.degradedSince !== null) return;
    this.degradedSince = this.now();
    // Recovery does not wait for traffic: once Redis answers, pending spend is pushed and shared mode resumes.
    this.recovery = setInterval(() => {
      if (this.redisUsable()) this.track(this.flushPending());
    }, retryRedisAfterMs);
    this.recovery.unref();
    this.counters.degradedEpisodes += 1;
    this.local = undefined;
    this.options.logger.warn('budget store (Redis) unreachable: degraded-local mode, each node enforces its share of every budget', {
      nodes: this.options.nodes(),
      error: error.message,
    });
  }

  private leaveDegraded(): void {
    if (this.degradedSince === null || this.pending.length > 0) return;
    const seconds = Math.round((this.now() - this.degradedSince) / 1000);
    this.degradedSince = null;
    this.local = undefined;
    clearInterval(this.recovery);
    this.options.logger.info('budget store (Redis) reachable again: shared budgets resumed', { degradedSeconds: seconds });
  }
}
