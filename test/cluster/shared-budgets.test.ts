import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { openDatabase } from '../../src/storage/index.js';
import { adminKey, chat, createKey, health, startFleet, type ChatOutcome, type Fleet } from './cluster-harness.js';

const budget = parseCnyToNano('0.01');

async function burst(fleet: Fleet, key: string, count: number): Promise<ChatOutcome[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => chat(fleet.nodes[index % fleet.nodes.length]!, key, `Request ${index}: say something short.`)));
}

async function billedInPostgres(fleet: Fleet, keyId: string): Promise<{ rows: number; nano: number }> {
  const database = await openDatabase(fleet.storageUrl);
  try {
    const row = await database.db
      .selectFrom('request_log')
      .select((eb) => [eb.fn.countAll<number>().as('rows'), eb.fn.sum<number>('cost_nano_cny').as('nano')])
      .where('api_key_id', '=', keyId)
      .where('status', '=', 200)
      .executeTakeFirstOrThrow();
    return { rows: Number(row.rows), nano: Number(row.nano ?? 0) };
  } finally {
    await database.close();
  }
}

describe('three nodes sharing Redis and PostgreSQL', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(3);
  }, 30_000);
  afterAll(async () => fleet?.close());

  it('200 concurrent requests split across the nodes never spend more than the budget', async () => {
    const { id, key } = await createKey(fleet.nodes[0]!, { name: 'fleet-small', daily_budget_cny: '0.01' });
    const outcomes = await burst(fleet, key, 200);
    const served = outcomes.filter((outcome) => outcome.status === 200);
    const refused = outcomes.filter((outcome) => outcome.status !== 200);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const outcome of refused) expect(outcome).toMatchObject({ status: 429, code: 'budget_exceeded' });
    // Every node served part of it, and the reservations were true upper bounds: no overspend at all.
    const spent = served.reduce((sum, outcome) => sum + outcome.costNano, 0);
    expect(spent).toBeLessThanOrEqual(budget);
    // The request log in PostgreSQL (the source of truth) agrees with what the clients were told.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await billedInPostgres(fleet, id)).toEqual({ rows: served.length, nano: spent });
    console.log(`shared budget ¥0.01 over 3 nodes: ${served.length} served, ${refused.length} refused, spent ¥${(spent / 1e9).toFixed(6)}`);
    // Every node's admin view shows the fleet's spend, and nothing stays held once every request has settled.
    for (const node of fleet.nodes) {
      const keys = await fetch(`${node.url}/admin/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
      const view = ((await keys.json()) as { data: Array<{ id: string; spent_today_cny: string; reserved_cny: string }> }).data.find((key) => key.id === id)!;
      expect(view.reserved_cny).toBe('0');
      expect(parseCnyToNano(view.spent_today_cny)).toBe(spent);
    }
    const { body } = await health(fleet.nodes[1]!);
    expect(body.cluster).toMatchObject({ nodes: 3, redis: 'ready', budgets: { mode: 'shared' } });
  }, 60_000);

  it('a requests-per-minute limit holds fleet-wide, exactly', async () => {
    const { key } = await createKey(fleet.nodes[0]!, { name: 'fleet-rpm', rpm: 10 });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, index) => chat(fleet.nodes[index % 3]!, key, `rpm ${index}`)));
    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(10);
    for (const outcome of outcomes.filter((candidate) => candidate.status !== 200)) expect(outcome).toMatchObject({ status: 429, code: 'rate_limited' });
  }, 30_000);
});

describe('control: the same three nodes without Redis', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(3, { redisUrl: null });
  }, 30_000);
  afterAll(async () => fleet?.close());

  it('each node enforces the whole budget and rpm limit on its own, so together they overspend them', async () => {
    const { key } = await createKey(fleet.nodes[0]!, { name: 'fleet-unshared', daily_budget_cny: '0.01' });
    const outcomes = await burst(fleet, key, 200);
    const spent = outcomes.reduce((sum, outcome) => sum + outcome.costNano, 0);
    expect(spent).toBeGreaterThan(budget);
    console.log(`unshared budget ¥0.01 over 3 nodes: ${outcomes.filter((outcome) => outcome.status === 200).length} served, spent ¥${(spent / 1e9).toFixed(6)}`);
    const limited = await createKey(fleet.nodes[0]!, { name: 'fleet-unshared-rpm', rpm: 10 });
    const rpm = await Promise.all(Array.from({ length: 30 }, (_, index) => chat(fleet.nodes[index % 3]!, limited.key, `rpm ${index}`)));
    // rpm 10 on each of 3 nodes: 30 admitted where one shared limit admits 10.
    expect(rpm.filter((outcome) => outcome.status === 200).length).toBe(30);
  }, 60_000);
});
