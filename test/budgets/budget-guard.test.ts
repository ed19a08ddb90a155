import { describe, expect, it } from 'vitest';
import { BudgetGuard, type BudgetScope } from '../../src/budgets/budget-guard.js';
import { periodsAt } from '../../src/budgets/periods.js';
import { GatewayError } from '../../src/errors/catalogue.js';

const yuan = 1e9;
const scope = (limits: Partial<BudgetScope> = {}): BudgetScope => ({ id: 'key:a', label: 'Key a', dailyNano: null, monthlyNano: null, rpm: null, ...limits });
const noSpend = { spendSince: async () => 0 };

describe('BudgetGuard', () => {
  it('200 concurrent requests never push spend over the limit; the rest get budget_exceeded', async () => {
    const guard = new BudgetGuard(noSpend);
    const limit = scope({ dailyNano: 1 * yuan });
    const worst = 0.03 * yuan; // each request may cost up to ¥0.03 and really costs ¥0.02
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, async () => {
      const reservation = await guard.reserve([limit], worst);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      reservation.settle(0.02 * yuan);
    }));
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    const spent = guard.report('key:a')!.spentTodayNano;
    expect(spent).toBeLessThanOrEqual(1 * yuan);
    expect(admitted).toBeGreaterThanOrEqual(33); // at least floor(1 / 0.03) fit even while all are in flight
    expect(refused.length).toBe(200 - admitted);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(GatewayError);
      expect((outcome as PromiseRejectedResult).reason.code).toBe('budget_exceeded');
    }
    expect(guard.report('key:a')!.reservedNano).toBe(0);
  });

  it('counts spend already billed (from the request log) so budgets survive a restart', async () => {
    const guard = new BudgetGuard({ spendSince: async () => 0.99 * yuan });
    await expect(guard.reserve([scope({ dailyNano: 1 * yuan })], 0.02 * yuan)).rejects.toMatchObject({ code: 'budget_exceeded' });
    const ok = await guard.reserve([scope({ dailyNano: 1 * yuan })], 0.01 * yuan);
    ok.settle(0.01 * yuan);
    expect(guard.report('key:a')!.spentTodayNano).toBe(1 * yuan);
  });

  it('says when the budget resets (00:00 Beijing) and sets Retry-After', async () => {
    const now = Date.parse('2026-11-28T10:00:00+08:00');
    const guard = new BudgetGuard(noSpend, () => now);
    const error = (await guard.reserve([scope({ dailyNano: 1 })], 2).catch((caught: unknown) => caught)) as GatewayError;
    expect(error.message).toContain('2026-11-28T16:00:00.000Z');
    expect(error.retryAfterMs).toBe(14 * 3600_000);
  });

  it('starts a new day and a new month on Beijing time', async () => {
    let now = Date.parse('2026-11-30T23:59:00+08:00');
    const guard = new BudgetGuard(noSpend, () => now);
    const limits = scope({ dailyNano: 10, monthlyNano: 15 });
    (await guard.reserve([limits], 10)).settle(10);
    await expect(guard.reserve([limits], 1)).rejects.toMatchObject({ code: 'budget_exceeded' });
    now = Date.parse('2026-12-01T00:00:00+08:00');
    (await guard.reserve([limits], 10)).settle(10);
    expect(guard.report('key:a')).toMatchObject({ spentTodayNano: 10, spentMonthNano: 10 });
    expect(periodsAt(now)).toMatchObject({ day: '2026-12-01', month: '2026-12' });
  });

  it('a team budget binds every key in it', async () => {
    const guard = new BudgetGuard(noSpend);
    const team: BudgetScope = { id: 'team:t', label: 'Team t', dailyNano: 5, monthlyNano: null, rpm: null };
    (await guard.reserve([scope({ id: 'key:a' }), team], 3)).settle(3);
    await expect(guard.reserve([scope({ id: 'key:b' }), team], 3)).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(guard.report('key:b')?.reservedNano ?? 0).toBe(0); // a refused request holds nothing anywhere
  });

  it('limits requests per minute with an honest Retry-After', async () => {
    let now = 1_000_000;
    const guard = new BudgetGuard(noSpend, () => now);
    const limits = scope({ rpm: 2 });
    await guard.reserve([limits], 0);
    now += 10_000;
    await guard.reserve([limits], 0);
    const error = (await guard.reserve([limits], 0).catch((caught: unknown) => caught)) as GatewayError;
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(50_000);
    now += 50_000;
    await expect(guard.reserve([limits], 0)).resolves.toBeDefined();
  });

  it('settling twice does not bill twice', async () => {
    const guard = new BudgetGuard(noSpend);
    const reservation = await guard.reserve([scope({ dailyNano: 100 })], 10);
    reservation.settle(7);
    reservation.settle(7);
    expect(guard.report('key:a')).toMatchObject({ spentTodayNano: 7, reservedNano: 0 });
  });

  it('costs nothing for keys without limits', async () => {
    let loads = 0;
    const guard = new BudgetGuard({ spendSince: async () => (loads += 1) });
    const reservation = await guard.reserve([scope()], 10);
    expect(reservation.heldNano).toBe(0);
    expect(loads).toBe(0);
  });
});
