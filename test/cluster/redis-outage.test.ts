import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { chat, createKey, eventually, health, setTeam, startFleet, type Fleet } from './cluster-harness.js';
import { redisClient } from './redis-fixtures.js';
import { TcpProxy } from './tcp-proxy.js';

const budget = parseCnyToNano('0.01');

describe('Redis outage: two nodes behind a proxy the test cuts', () => {
  const proxy = new TcpProxy({ host: '127.0.0.1', port: 6379 });
  const logs: string[] = [];
  let fleet: Fleet;
  beforeAll(async () => {
    const port = await proxy.start();
    fleet = await startFleet(2, {
      redisUrl: `redis://127.0.0.1:${port}/14`,
      cluster: 'failClosed: { teams: [finance] }',
      logger: createLogger('info', (line) => logs.push(line)),
    });
  }, 30_000);
  afterAll(async () => {
    await fleet?.close();
    await proxy.stop();
  });

  it('no node crashes; each enforces its share; fail-closed budgets refuse; then shared mode resumes and the spend is reconciled', async () => {
    const [a, b] = fleet.nodes as [typeof fleet.nodes[0], typeof fleet.nodes[0]];
    const open = await createKey(a, { name: 'outage-open', daily_budget_cny: '0.01' });
    await setTeam(a, 'finance', { daily_budget_cny: '100' });
    const strict = await createKey(a, { name: 'outage-strict', team: 'finance' });

    // Redis up: a few requests go through the shared ledger, on both nodes.
    let spent = 0;
    for (let i = 0; i < 6; i += 1) {
      const outcome = await chat(fleet.nodes[i % 2]!, open.key, `before ${i}`);
      expect(outcome.status).toBe(200);
      spent += outcome.costNano;
    }
    expect((await chat(b, strict.key, 'strict before')).status).toBe(200);

    // Both nodes have seen each other in the heartbeat set (what they divide budgets by while Redis is down).
    expect(await eventually(async () => (await Promise.all([a, b].map(health))).every(({ body }) => body.cluster.nodes === 2))).toBe(true);
    await proxy.stop();
    // Both nodes keep serving on local shares; the fail-closed team is refused with a stable code.
    const during = await Promise.all(Array.from({ length: 400 }, (_, i) => chat(fleet.nodes[i % 2]!, open.key, `during ${i}`)));
    const servedDuring = during.filter((outcome) => outcome.status === 200);
    expect(servedDuring.length).toBeGreaterThan(0);
    expect(servedDuring.length).toBeLessThan(400); // the shares ran out
    for (const outcome of during.filter((candidate) => candidate.status !== 200)) expect(outcome).toMatchObject({ status: 429, code: 'budget_exceeded' });
    spent += servedDuring.reduce((sum, outcome) => sum + outcome.costNano, 0);
    // Each node had 1/2 of what remained: together they stay within the budget.
    expect(spent).toBeLessThanOrEqual(budget);
    expect(await chat(a, strict.key, 'strict during')).toMatchObject({ status: 503, code: 'budget_store_unavailable' });

    for (const node of [a, b]) {
      const { status, body } = await health(node);
      expect(status).toBe(200); // readiness stays up
      expect(body.cluster.budgets).toMatchObject({ mode: 'degraded-local', degradedEpisodes: 1 });
      expect(body.cluster.nodes).toBe(2);
    }
    const counters = await Promise.all([a, b].map(async (node) => (await health(node)).body.cluster.budgets));
    expect(counters.reduce((sum, c) => sum + c.localAdmissions, 0)).toBe(servedDuring.length);
    expect(counters.reduce((sum, c) => sum + c.failClosedRefusals, 0)).toBe(1);
    expect(logs.filter((line) => line.includes('degraded-local mode')).length).toBe(2);
    console.log(`Redis outage, budget ¥0.01 on 2 nodes: ${servedDuring.length} served on local shares, total spent ¥${(spent / 1e9).toFixed(6)}`);

    await proxy.start();
    // Reconnects by itself; what was spent during the outage is pushed to the shared ledger.
    const resumed = await eventually(async () => {
      const views = await Promise.all([a, b].map(async (node) => (await health(node)).body.cluster.budgets));
      return views.every((view) => view.mode === 'shared' && view.pendingCommits === 0);
    }, 8_000);
    expect(resumed).toBe(true);
    expect(logs.some((line) => line.includes('shared budgets resumed'))).toBe(true);
    expect((await chat(a, strict.key, 'strict after')).status).toBe(200);
    const redis = redisClient();
    try {
      const state = await redis.hgetall(`{${fleet.prefix}}:budget:key:${open.id}:state`);
      expect(Number(state['sd'])).toBe(spent);
      expect(Number(state['held'])).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});

describe('Redis unreachable from the start', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens there.
    fleet = await startFleet(1, { redisUrl: 'redis://127.0.0.1:9/14', cluster: 'nodes: 4' });
  }, 30_000);
  afterAll(async () => fleet?.close());

  it('the node starts, serves within a quarter of the budget and rpm limit (nodes: 4) and reports degraded-local mode', async () => {
    const node = fleet.nodes[0]!;
    const { key } = await createKey(node, { name: 'no-redis', daily_budget_cny: '0.004' });
    const outcomes = await Promise.all(Array.from({ length: 60 }, (_, i) => chat(node, key, `no redis ${i}`)));
    const spent = outcomes.reduce((sum, outcome) => sum + outcome.costNano, 0);
    expect(outcomes.some((outcome) => outcome.status === 200)).toBe(true);
    expect(spent).toBeLessThanOrEqual(parseCnyToNano('0.001'));
    const { status, body } = await health(node);
    expect(status).toBe(200);
    expect(body.cluster).toMatchObject({ nodes: 4, budgets: { mode: 'degraded-local' } });
    // The rpm limit too: 8 per minute across 4 nodes is 2 on this one.
    const limited = await createKey(node, { name: 'no-redis-rpm', rpm: 8 });
    const rpm = await Promise.all(Array.from({ length: 6 }, (_, i) => chat(node, limited.key, `rpm ${i}`)));
    expect(rpm.filter((outcome) => outcome.status === 200)).toHaveLength(2);
    expect(rpm.filter((outcome) => outcome.code === 'rate_limited')).toHaveLength(4);
  }, 30_000);
});
