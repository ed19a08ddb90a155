import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pricer } from '../../src/pricing/pricer.js';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { chat, createKey, startFleet, type ChatOutcome, type Fleet } from './cluster-harness.js';

const MAX_TOKENS = 64;

async function burst(fleet: Fleet, key: string, count: number): Promise<ChatOutcome[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => chat(fleet.nodes[index % fleet.nodes.length]!, key, `Request ${index}: say something short.`, MAX_TOKENS)));
}

/**
 * Issue #10: two and four nodes sharing Redis never overspend a budget when reservations are true upper bounds,
 * and otherwise by no more than the in-flight shortfall (what the answers cost beyond what was reserved for them).
 */
describe.each([2, 4])('%i nodes sharing one budget in Redis', (count) => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(count);
  }, 60_000);
  afterAll(async () => fleet?.close());

  it('reservations that are true upper bounds (max_tokens set): 200 concurrent requests never spend more than the budget', async () => {
    const budget = parseCnyToNano('0.01');
    const { key } = await createKey(fleet.nodes[0]!, { name: `exact-${count}`, daily_budget_cny: '0.01' });
    const outcomes = await burst(fleet, key, 200);
    const served = outcomes.filter((outcome) => outcome.status === 200);
    expect(served.length).toBeGreaterThan(0);
    expect(outcomes.filter((outcome) => outcome.status !== 200).every((outcome) => outcome.code === 'budget_exceeded')).toBe(true);
    expect(served.reduce((sum, outcome) => sum + outcome.costNano, 0)).toBeLessThanOrEqual(budget);
  }, 60_000);

  it('answers that cost more than their reservation: the overspend is at most what they cost beyond it', async () => {
    // A provider that bills more output than max_tokens (say, reasoning it does not count in max_tokens).
    fleet.simulator.script('deepseek', Array.from({ length: 200 }, () => ({ kind: 'ok' as const, usage: { completion: 4 * MAX_TOKENS } })));
    const budget = parseCnyToNano('0.01');
    const { key } = await createKey(fleet.nodes[0]!, { name: `short-${count}`, daily_budget_cny: '0.01' });
    const at = new Date();
    const outcomes = await burst(fleet, key, 200);
    const served = outcomes.filter((outcome) => outcome.status === 200);
    const spent = served.reduce((sum, outcome) => sum + outcome.costNano, 0);
    // Each reservation covered at least max_tokens of output at the price in force, so each answer's shortfall is
    // at most its cost minus that; the fleet may overspend by no more than the sum of those shortfalls.
    const config = fleet.configs[0]!;
    const model = config.models.find((candidate) => candidate.id === 'deepseek-flash')!;
    const reservedAtLeast = new Pricer(config).cost(model, { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: MAX_TOKENS, reasoning: 0, imageTokens: 0, estimated: true }, at).nanoCny;
    const shortfall = served.reduce((sum, outcome) => sum + Math.max(0, outcome.costNano - reservedAtLeast), 0);
    expect(served.length).toBeGreaterThan(0);
    expect(spent - budget).toBeLessThanOrEqual(shortfall);
    // and the admissions themselves held: never more requests than the budget covers at their reservations
    expect(served.length * reservedAtLeast).toBeLessThanOrEqual(budget);
    console.log(`${count} nodes, answers at 4× max_tokens: ${served.length} served, spent ¥${(spent / 1e9).toFixed(6)} of ¥0.01 (shortfall bound ¥${(shortfall / 1e9).toFixed(6)})`);
  }, 60_000);
});
