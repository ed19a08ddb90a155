import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RequestLogWriter,
  createApiKey,
  getTeamLimits,
  listTeams,
  migrate,
  openDatabase,
  setTeamLimits,
  spendSince,
  updateApiKeyLimits,
  usageReport,
  verifyApiKey,
  type Database,
} from '../../src/storage/index.js';
import { makeRow, targets, type Target } from './storage-targets.js';

describe.each(targets)('budgets and usage contract: $name', (target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
    await migrate(database);
  });

  afterAll(async () => {
    if (database === undefined) return;
    await database.close();
    await store.cleanup();
  });

  it('keeps key limits and team limits, and updates only what is given', async () => {
    const key = await createApiKey(database, 'limited', Date.now(), { dailyBudgetNano: 5e9, rpm: 10, team: 'ops' });
    expect(await verifyApiKey(database, key.key)).toMatchObject({ team: 'ops', dailyBudgetNano: 5e9, monthlyBudgetNano: null, rpm: 10 });
    expect(await updateApiKeyLimits(database, key.id, { monthlyBudgetNano: 50e9, rpm: null })).toBe(true);
    expect(await verifyApiKey(database, key.key)).toMatchObject({ dailyBudgetNano: 5e9, monthlyBudgetNano: 50e9, rpm: null });
    await setTeamLimits(database, { name: 'ops', dailyBudgetNano: 1e9 });
    await setTeamLimits(database, { name: 'ops', rpm: 30 });
    expect(await getTeamLimits(database, 'ops')).toEqual({ name: 'ops', dailyBudgetNano: 1e9, monthlyBudgetNano: null, rpm: 30 });
    expect((await listTeams(database)).map((team) => team.name)).toContain('ops');
  });

  it('sums spend since a moment for a key and for a team, exactly', async () => {
    const a = await createApiKey(database, 'a', Date.now(), { team: 'sum-team' });
    const b = await createApiKey(database, 'b', Date.now(), { team: 'sum-team' });
    const writer = new RequestLogWriter(database, { batchSize: 500, flushIntervalMs: 5, queueLimit: 100_000 });
    // 3,000 rows of 333,333,333 nano-yuan: a float sum of the decimal strings would drift, integers do not.
    for (let i = 0; i < 3000; i += 1) {
      writer.write(makeRow({ apiKeyId: i % 2 === 0 ? a.id : b.id, createdAt: 2_000_000_000_000 + i, costNanoCny: 333_333_333 }));
    }
    writer.write(makeRow({ apiKeyId: a.id, createdAt: 1_000, costNanoCny: 7 })); // long before
    await writer.close();
    expect(await spendSince(database, { keyId: a.id }, 2_000_000_000_000)).toBe(1500 * 333_333_333);
    expect(await spendSince(database, { team: 'sum-team' }, 2_000_000_000_000)).toBe(3000 * 333_333_333);
    expect(await spendSince(database, { team: 'sum-team' }, 0)).toBe(3000 * 333_333_333 + 7);
    expect(await spendSince(database, { keyId: 'nobody' }, 0)).toBe(0);
  });

  it('reports spend, flagship-equivalent spend and tiers by model and by Beijing day', async () => {
    const writer = new RequestLogWriter(database, { batchSize: 100, flushIntervalMs: 5, queueLimit: 10_000 });
    const day1 = Date.parse('2030-01-01T23:30:00+08:00');
    const day2 = Date.parse('2030-01-02T00:30:00+08:00'); // still 1 January in UTC
    writer.write(makeRow({ createdAt: day1, modelServed: 'flash', tier: 'light', costNanoCny: 100, flagshipCostNanoCny: 1000 }));
    writer.write(makeRow({ createdAt: day2, modelServed: 'flash', tier: 'light', costNanoCny: 200, flagshipCostNanoCny: 2000 }));
    writer.write(makeRow({ createdAt: day2, modelServed: 'pro', tier: 'flagship', costNanoCny: 3000, flagshipCostNanoCny: 3000 }));
    writer.write(makeRow({ createdAt: day2, modelServed: null, tier: null, status: 429, errorCode: 'budget_exceeded', costNanoCny: 0, flagshipCostNanoCny: 0 }));
    await writer.close();
    const window = { since: Date.parse('2030-01-01T00:00:00+08:00'), until: Date.parse('2030-01-03T00:00:00+08:00') };
    const byModel = await usageReport(database, { group: 'model', ...window });
    expect(byModel.find((row) => row.group === 'flash')).toMatchObject({ requests: 2, lightRequests: 2, costNanoCny: 300, flagshipCostNanoCny: 3000 });
    expect(byModel.find((row) => row.group === 'pro')).toMatchObject({ requests: 1, flagshipRequests: 1, costNanoCny: 3000 });
    const byDay = await usageReport(database, { group: 'day', ...window });
    expect(byDay.map((row) => [row.group, row.requests, row.errors])).toEqual([['2030-01-01', 1, 0], ['2030-01-02', 3, 1]]);
  });
});
