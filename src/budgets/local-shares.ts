import { BudgetGuard, type BudgetScope, type Reservation, type SpendSource } from './budget-guard.js';
import { periodsAt } from './periods.js';

/** What the shared ledger last told this node about a scope (Redis server time of the answer). */
export interface ScopeSnapshot {
  readonly spentDay: number;
  readonly spentMonth: number;
  readonly held: number;
  readonly at: number;
}

interface Share {
  readonly day: number | null;
  readonly month: number | null;
}

/**
 * Degraded-local enforcement while Redis is unreachable: each of N nodes may spend 1/N of what remained of
 * each budget (from its last snapshot of the shared ledger, else from the request log) and admit 1/N of
 * the rpm limit (at least 1). A fresh instance is made for each outage, so shares never outlive it.
 */
export class LocalShares {
  private readonly guard: BudgetGuard;
  private readonly shares = new Map<string, Promise<Share>>();

  constructor(
    private readonly snapshots: ReadonlyMap<string, ScopeSnapshot>,
    private readonly source: SpendSource,
    private readonly nodes: number,
    private readonly now: () => number,
  ) {
    // The shares already account for spend before the outage; local spend starts at zero.
    this.guard = new BudgetGuard({ spendSince: async () => 0 }, now);
  }

  async reserve(scopes: readonly BudgetScope[], worstNano: number): Promise<Reservation> {
    const local = await Promise.all(
      scopes.map(async (scope): Promise<BudgetScope> => {
        const share = await this.shareFor(scope);
        return {
          id: scope.id,
          label: `${scope.label} (this node's 1/${this.nodes} share while the budget store is unreachable)`,
          dailyNano: share.day,
          monthlyNano: share.month,
          rpm: scope.rpm === null ? null : Math.max(1, Math.floor(scope.rpm / this.nodes)),
        };
      }),
    );
    return this.guard.reserve(local, worstNano);
  }

  private shareFor(scope: BudgetScope): Promise<Share> {
    let share = this.shares.get(scope.id);
    if (!share) {
      share = this.computeShare(scope);
      this.shares.set(scope.id, share);
      share.catch(() => this.shares.delete(scope.id));
    }
    return share;
  }

  private async computeShare(scope: BudgetScope): Promise<Share> {
    if (scope.dailyNano === null && scope.monthlyNano === null) return { day: null, month: null };
    const periods = periodsAt(this.now());
    const snapshot = this.snapshots.get(scope.id);
    let spentDay: number;
    let spentMonth: number;
    let held = 0;
    if (snapshot && snapshot.at >= periods.dayStart) {
      ({ spentDay, spentMonth, held } = snapshot);
    } else if (snapshot && snapshot.at >= periods.monthStart) {
      spentDay = 0;
      ({ spentMonth, held } = snapshot);
    } else {
      // No snapshot of this period: the request log is the source of truth (rows still queued are missed).
      [spentDay, spentMonth] = await Promise.all([this.source.spendSince(scope.id, periods.dayStart), this.source.spendSince(scope.id, periods.monthStart)]);
    }
    const part = (limit: number | null, spent: number) => (limit === null ? null : Math.floor(Math.max(0, limit - spent - held) / this.nodes));
    return { day: part(scope.dailyNano, spentDay), month: part(scope.monthlyNano, spentMonth) };
  }
}
