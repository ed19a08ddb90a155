import { GatewayError } from '../errors/catalogue.js';
import { formatNanoCny } from '../pricing/cost.js';
import { periodsAt, type Periods } from './periods.js';

/** A budget scope: one key, or a team of keys. Amounts in nano-yuan; null means no limit. */
export interface BudgetScope {
  readonly id: string;
  readonly label: string;
  readonly dailyNano: number | null;
  readonly monthlyNano: number | null;
  readonly rpm: number | null;
}

/** Where spend already billed is read from when a scope is first seen (the request log). */
export interface SpendSource {
  spendSince(scopeId: string, since: number): Promise<number>;
}

interface ScopeState {
  day: string;
  month: string;
  spentDay: number;
  spentMonth: number;
  reserved: number;
  /** Start times of requests in the last minute, for the rpm limit (at most rpm entries). */
  recent: number[];
  loading: Promise<void> | undefined;
}

export interface Reservation {
  /** Settle with what the call really cost; releases the hold. Safe to call once; later calls do nothing. */
  settle(actualNano: number): void;
  readonly heldNano: number;
}

export interface ScopeReport {
  scope: string;
  spentTodayNano: number;
  spentMonthNano: number;
  reservedNano: number;
}

/**
 * What the pipeline needs from budget enforcement: this in-process guard on one node, or the Redis ledger
 * shared by every node (redis-budget-guard.ts). `report` answers from what this node knows, synchronously.
 */
export interface BudgetEnforcer {
  reserve(scopes: readonly BudgetScope[], worstNano: number): Promise<Reservation>;
  report(scopeId: string): ScopeReport | undefined;
  /** Brings what `report` answers up to date for these scopes (the shared ledger: read from Redis). */
  refresh?(scopeIds: readonly string[]): Promise<void>;
}

/** The 429 for a spent budget, naming the limit, the spend, the holds in flight and when it resets. */
export function budgetExhausted(scope: BudgetScope, period: string, limit: number, spent: number, reserved: number, worst: number, resetsAt: number, now: number): GatewayError {
  const reset = new Date(resetsAt).toISOString();
  return new GatewayError(
    'budget_exceeded',
    `${scope.label} ${period} budget is ¥${formatNanoCny(limit)}: spent ¥${formatNanoCny(spent)}, ¥${formatNanoCny(reserved)} held by requests in flight, ` +
      `and this request may cost up to ¥${formatNanoCny(worst)}. It resets at ${reset} (00:00 Beijing time).`,
    { retryAfterMs: resetsAt - now },
  );
}

/**
 * Budgets that hold under concurrency. A request reserves its worst-case cost in every scope it belongs
 * to before the call; the check and the reservation happen in one synchronous step, so concurrent
 * requests can overspend only by what the worst case under-estimated. Settling replaces the hold with
 * the real cost. Spend already billed is loaded from the request log the first time a scope is used,
 * so budgets survive a restart.
 */
export class BudgetGuard implements BudgetEnforcer {
  private readonly states = new Map<string, ScopeState>();

  constructor(private readonly source: SpendSource, private readonly now: () => number = Date.now) {}

  async reserve(scopes: readonly BudgetScope[], worstNano: number): Promise<Reservation> {
    const limited = scopes.filter((scope) => scope.dailyNano !== null || scope.monthlyNano !== null || scope.rpm !== null);
    if (limited.length === 0) return { heldNano: 0, settle: () => undefined };
    const periods = periodsAt(this.now());
    const states = await Promise.all(limited.map((scope) => this.stateFor(scope.id, periods)));
    // From here to the end no await: check every scope, then reserve in all of them.
    const now = this.now();
    const current = periodsAt(now);
    limited.forEach((scope, index) => this.check(scope, this.roll(states[index]!, current), worstNano, now, current));
    for (const state of states) {
      state.reserved += worstNano;
      state.recent.push(now);
    }
    let settled = false;
    return {
      heldNano: worstNano,
      settle: (actualNano: number) => {
        if (settled) return;
        settled = true;
        const at = periodsAt(this.now());
        for (const state of states) {
          state.reserved -= worstNano;
          this.roll(state, at);
          state.spentDay += actualNano;
          state.spentMonth += actualNano;
        }
      },
    };
  }

  report(scopeId: string): ScopeReport | undefined {
    const state = this.states.get(scopeId);
    if (!state) return undefined;
    this.roll(state, periodsAt(this.now()));
    return { scope: scopeId, spentTodayNano: state.spentDay, spentMonthNano: state.spentMonth, reservedNano: state.reserved };
  }

  private check(scope: BudgetScope, state: ScopeState, worstNano: number, now: number, periods: Periods): void {
    if (scope.rpm !== null) {
      while (state.recent.length > 0 && state.recent[0]! <= now - 60_000) state.recent.shift();
      if (state.recent.length >= scope.rpm) {
        const retryMs = state.recent[0]! + 60_000 - now;
        throw new GatewayError('rate_limited', `${scope.label} allows ${scope.rpm} requests per minute; retry in ${Math.ceil(retryMs / 1000)} s.`, { retryAfterMs: retryMs });
      }
    }
    const over = (limit: number | null, spent: number) => limit !== null && spent + state.reserved + worstNano > limit;
    if (over(scope.dailyNano, state.spentDay)) {
      throw budgetExhausted(scope, 'daily', scope.dailyNano!, state.spentDay, state.reserved, worstNano, periods.dayEnd, now);
    }
    if (over(scope.monthlyNano, state.spentMonth)) {
      throw budgetExhausted(scope, 'monthly', scope.monthlyNano!, state.spentMonth, state.reserved, worstNano, periods.monthEnd, now);
    }
  }

  private roll(state: ScopeState, periods: Periods): ScopeState {
    if (state.day !== periods.day) {
      state.day = periods.day;
      state.spentDay = 0;
    }
    if (state.month !== periods.month) {
      state.month = periods.month;
      state.spentMonth = 0;
    }
    return state;
  }

  private async stateFor(scopeId: string, periods: Periods): Promise<ScopeState> {
    let state = this.states.get(scopeId);
    if (!state) {
      const fresh: ScopeState = { day: periods.day, month: periods.month, spentDay: 0, spentMonth: 0, reserved: 0, recent: [], loading: undefined };
      fresh.loading = (async () => {
        const [day, month] = await Promise.all([this.source.spendSince(scopeId, periods.dayStart), this.source.spendSince(scopeId, periods.monthStart)]);
        fresh.spentDay += day;
        fresh.spentMonth += month;
      })();
      state = fresh;
      this.states.set(scopeId, state);
    }
    try {
      await state.loading;
    } catch (error) {
      this.states.delete(scopeId);
      throw error;
    }
    return state;
  }
}
