import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { BudgetScope } from '../../src/budgets/budget-guard.js';
import { commitScript, periodNumbers } from '../../src/budgets/budget-scripts.js';
import { RedisBudgetGuard } from '../../src/budgets/redis-budget-guard.js';
import { GatewayError } from '../../src/errors/catalogue.js';
import { whenReady } from '../../src/cluster/redis-client.js';
import { silentLogger } from '../../src/logging/logger.js';
import { deletePrefix, redisClient, uniquePrefix } from './redis-fixtures.js';

const yuan = 1e9;
const clients: Redis[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
});
afterAll(async () => {
  for (const prefix of prefixes) await deletePrefix(prefix);
});

async function ledger(prefix: string, options: { spend?: number; holdTtlMs?: number; onSeed?: () => void } = {}): Promise<RedisBudgetGuard> {
  const redis = redisClient();
  clients.push(redis);
  await whenReady(redis, 2_000);
  return new RedisBudgetGuard(
    redis,
    {
      spendSince: async () => {
        options.onSeed?.();
        return options.spend ?? 0;
      },
    },
    { prefix, holdTtlMs: options.holdTtlMs ?? 60_000, nodes: () => 3, failClosed: () => false, logger: silentLogger },
  );
}

function fresh(tag: string): string {
  const prefix = uniquePrefix(tag);
  prefixes.push(prefix);
  return prefix;
}

const scope = (limits: Partial<BudgetScope> = {}): BudgetScope => ({ id: 'key:k1', label: 'Key k1', dailyNano: null, monthlyNano: null, rpm: null, ...limits });

describe('Redis budget ledger (three nodes, one Redis)', () => {
  it('200 concurrent reservations from three nodes never overspend; spend is exactly what was settled', async () => {
    const prefix = fresh('ledger');
    const nodes = await Promise.all([ledger(prefix), ledger(prefix), ledger(prefix)]);
    const limit = scope({ dailyNano: 1 * yuan });
    const worst = 0.03 * yuan;
    let settledNano = 0;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, async (_, index) => {
        const reservation = await nodes[index % 3]!.reserve([limit], worst);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
        const actual = 0.01 * yuan + (index % 7) * 0.001 * yuan;
        settledNano += actual;
        reservation.settle(actual);
      }),
    );
    await Promise.all(nodes.map((node) => node.flush()));
    const admitted = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    expect(admitted).toBeGreaterThanOrEqual(33); // floor(1 / 0.03): that many fit even when all are in flight
    expect(admitted).toBeLessThan(200);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect((outcome.reason as GatewayError).code).toBe('budget_exceeded');
    const probe = await nodes[0]!.reserve([limit], 0);
    probe.settle(0);
    await nodes[0]!.flush();
    const view = nodes[0]!.report('key:k1')!;
    expect(view.spentTodayNano).toBe(settledNano);
    expect(view.spentTodayNano).toBeLessThanOrEqual(1 * yuan);
    expect(view.reservedNano).toBe(0);
  });

  it('a hold whose node died expires after its TTL and is charged in full; a late commit charges only the real cost', async () => {
    const prefix = fresh('expiry');
    const dead = await ledger(prefix, { holdTtlMs: 150 });
    const alive = await ledger(prefix, { holdTtlMs: 150 });
    const limit = scope({ dailyNano: 1 * yuan });
    const orphan = await dead.reserve([limit], 0.6 * yuan); // the node is "killed": never settles
    await expect(alive.reserve([limit], 0.6 * yuan)).rejects.toMatchObject({ code: 'budget_exceeded' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Expired: nothing is held any more, and the worst case was charged (the provider may have billed it).
    const next = await alive.reserve([limit], 0.1 * yuan);
    expect(alive.report('key:k1')).toMatchObject({ spentTodayNano: 0.6 * yuan, reservedNano: 0.1 * yuan });
    next.settle(0.1 * yuan);
    // The "dead" node was only slow: its late commit swaps the charged worst case for the real cost.
    orphan.settle(0.2 * yuan);
    orphan.settle(0.2 * yuan); // settling twice does nothing
    await Promise.all([dead.flush(), alive.flush()]);
    expect(dead.report('key:k1')).toMatchObject({ spentTodayNano: 0.3 * yuan, reservedNano: 0 });
  });

  it('seeds spend from the request log once, even when nodes race (never inflated to N x spend)', async () => {
    const prefix = fresh('seed');
    let seeds = 0;
    const nodes = await Promise.all([0, 1, 2].map(() => ledger(prefix, { spend: 0.5 * yuan, onSeed: () => (seeds += 1) })));
    const limit = scope({ dailyNano: 1 * yuan });
    const reservations = await Promise.all(nodes.map((node) => node.reserve([limit], 0.1 * yuan)));
    for (const reservation of reservations) reservation.settle(0.1 * yuan);
    await Promise.all(nodes.map((node) => node.flush()));
    const probe = await nodes[0]!.reserve([limit], 0);
    probe.settle(0);
    await nodes[0]!.flush();
    expect(nodes[0]!.report('key:k1')!.spentTodayNano).toBe(0.8 * yuan);
    expect(seeds).toBeGreaterThanOrEqual(2); // day and month, at least once
    const redis = redisClient();
    clients.push(redis);
    const state = await redis.hgetall(`{${prefix}}:budget:key:k1:state`);
    const periods = periodNumbers(Date.now());
    expect(Number(state['day'])).toBe(periods.day);
    expect(Number(state['month'])).toBe(periods.month);
  });

  it('an rpm limit holds across nodes, exactly, and says when to retry', async () => {
    const prefix = fresh('rpm');
    const nodes = await Promise.all([ledger(prefix), ledger(prefix), ledger(prefix)]);
    const limit = scope({ rpm: 10 });
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => nodes[index % 3]!.reserve([limit], 0)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.code).toBe('rate_limited');
    expect(refused.reason.retryAfterMs).toBeGreaterThan(0);
    expect(refused.reason.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('a key and its team are reserved together: a refusal in the team leaves nothing held in the key', async () => {
    const prefix = fresh('team');
    const node = await ledger(prefix);
    const key = scope({ dailyNano: 10 * yuan });
    const team: BudgetScope = { id: 'team:t', label: 'Team t', dailyNano: 0.5 * yuan, monthlyNano: null, rpm: null };
    await expect(node.reserve([key, team], 1 * yuan)).rejects.toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('Team t daily budget') });
    const ok = await node.reserve([key, team], 0.2 * yuan);
    expect(node.report('key:k1')!.reservedNano).toBe(0.2 * yuan);
    ok.settle(0.1 * yuan);
    await node.flush();
    expect(node.report('team:t')).toMatchObject({ spentTodayNano: 0.1 * yuan, reservedNano: 0 });
  });

  it('a commit retried after a lost reply charges once; spend pushed after an outage is added once', async () => {
    const prefix = fresh('retry');
    const node = await ledger(prefix);
    const limit = scope({ dailyNano: 1 * yuan });
    (await node.reserve([limit], 0)).settle(0); // seeds the scope
    await node.flush();
    const redis = redisClient();
    clients.push(redis);
    const base = `{${prefix}}:budget:key:k1`;
    const commit = (id: string, worst: number, actual: number, mode: 'hold' | 'delta') =>
      redis.eval(commitScript, 4, `{${prefix}}:budget-done:${id}`, `${base}:state`, `${base}:holds`, `${base}:expired`, id, worst, actual, 1, mode);
    const spent = async () => Number(await redis.hget(`${base}:state`, 'sd'));
    await redis.zadd(`${base}:holds`, Date.now() + 60_000, `r1:${0.3 * yuan}`);
    await redis.hset(`${base}:state`, 'held', String(0.3 * yuan));
    await commit('r1', 0.3 * yuan, 0.1 * yuan, 'hold');
    await commit('r1', 0.3 * yuan, 0.1 * yuan, 'hold'); // the same commit again: the first reply was lost
    expect(await spent()).toBe(0.1 * yuan);
    expect(Number(await redis.hget(`${base}:state`, 'held'))).toBe(0);
    await commit('d1', 0, 0.05 * yuan, 'delta');
    await commit('d1', 0, 0.05 * yuan, 'delta');
    expect(await spent()).toBe(0.15 * yuan);
  });
});
