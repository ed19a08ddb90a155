import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { raw, simulatedProvider, startStack, type Stack } from '../e2e/harness.js';

const adminKey = 'tg-admin-budget-test-000000000000';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
  - { id: deepseek-v4-pro, provider: deepseek }
`);
});
afterAll(async () => stack?.close());

const admin = { authorization: `Bearer ${adminKey}` };

async function createKey(body: object): Promise<{ id: string; key: string }> {
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify(body) });
  expect(created.status).toBe(201);
  return created.json;
}

function chat(gatewayUrl: string, key: string, content: string) {
  return fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'deepseek-flash', max_tokens: 64, messages: [{ role: 'user', content }] }),
  });
}

describe('budgets under concurrency', () => {
  it('200 concurrent requests against a small budget never overspend it, and nothing is billed twice', async () => {
    const { id, key } = await createKey({ name: 'small-budget', daily_budget_cny: '0.01' });
    // A few upstream rate limits along the way: those requests are retried, and billed once.
    stack.simulator.script('deepseek', Array.from({ length: 2 }, () => ({ kind: 'error' as const, status: 429, error: 'rate_limit' as const, retryAfter: '0' })));
    const responses = await Promise.all(Array.from({ length: 200 }, (_, index) => chat(stack.gateway.url, key, `Request number ${index}: say something short.`)));
    const bodies = await Promise.all(responses.map(async (response) => ({ status: response.status, cost: response.headers.get('x-tidegate-cost-cny'), json: await response.json() as any })));
    const served = bodies.filter((body) => body.status === 200);
    const refused = bodies.filter((body) => body.status !== 200);
    expect(served.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const body of refused) {
      expect(body.status).toBe(429);
      expect(body.json.error.code).toBe('budget_exceeded');
      expect(body.json.error.message).toMatch(/resets at \d{4}-\d{2}-\d{2}T/);
    }
    const spentNano = served.reduce((sum, body) => sum + parseCnyToNano(body.cost!), 0);
    expect(spentNano).toBeLessThanOrEqual(parseCnyToNano('0.01'));

    // The ledger agrees with the headers: one row per request, no double billing across the retries.
    await new Promise((resolve) => setTimeout(resolve, 80));
    const log = await raw(stack, `/admin/requests?key=${id}&limit=1000`, { headers: admin });
    const rows = log.json.data as Array<{ status: number; costNanoCny: number; attempts: number }>;
    expect(rows.filter((row) => row.status === 200)).toHaveLength(served.length);
    expect(rows.reduce((sum, row) => sum + row.costNanoCny, 0)).toBe(spentNano);
    expect(rows.filter((row) => row.attempts > 1).length).toBeGreaterThan(0);

    const keys = await raw(stack, '/admin/keys', { headers: admin });
    const view = keys.json.data.find((candidate: { id: string }) => candidate.id === id);
    expect(view).toMatchObject({ daily_budget_cny: '0.01', reserved_cny: '0' });
    expect(parseCnyToNano(view.spent_today_cny)).toBe(spentNano);

    // The budget holds across a restart: spend is read back from the request log.
    await stack.gateway.close();
    stack.gateway = await startGateway(stack.config, { logger: silentLogger, cwd: stack.dir });
    const after = await chat(stack.gateway.url, key, 'one more?');
    expect(after.status).toBe(429);
    expect(((await after.json()) as any).error.code).toBe('budget_exceeded');
  });

  it('a key over its requests-per-minute limit gets rate_limited with Retry-After', async () => {
    const { key } = await createKey({ name: 'rpm-2', rpm: 2 });
    expect((await chat(stack.gateway.url, key, 'a')).status).toBe(200);
    expect((await chat(stack.gateway.url, key, 'b')).status).toBe(200);
    const third = await chat(stack.gateway.url, key, 'c');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await third.json()) as any).error.code).toBe('rate_limited');
  });

  it('a team budget is shared by its keys; keys and teams are managed through the admin API', async () => {
    const team = await raw(stack, '/admin/teams/research', { method: 'PUT', headers: admin, body: JSON.stringify({ daily_budget_cny: '0.0005' }) });
    expect(team.status).toBe(200);
    const first = await createKey({ name: 'r1', team: 'research' });
    const second = await createKey({ name: 'r2', team: 'research' });
    let served = 0;
    for (let i = 0; i < 20; i += 1) {
      const response = await chat(stack.gateway.url, i % 2 === 0 ? first.key : second.key, `team request ${i}`);
      if (response.status === 200) served += 1;
      else expect(((await response.json()) as any).error.message).toContain('Team research');
    }
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(20);
    const bad = await raw(stack, `/admin/keys/${first.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ daily_budget_cny: 'lots' }) });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('daily_budget_cny');
  });
});

describe('usage and savings report', () => {
  it('groups spend by model and shows what always-flagship would have cost', async () => {
    const { key } = await createKey({ name: 'reporting' });
    for (let i = 0; i < 3; i += 1) expect((await chat(stack.gateway.url, key, `light ${i}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const report = await raw(stack, '/admin/usage?group=model', { headers: admin });
    expect(report.status).toBe(200);
    const flash = report.json.rows.find((row: { group: string }) => row.group === 'deepseek-flash');
    expect(flash.requests).toBeGreaterThanOrEqual(3);
    expect(flash.light_share).toBe(1);
    // deepseek-v4-pro costs 4.5× deepseek-flash per input token and 3.4× per output token, so savings are large.
    expect(parseCnyToNano(flash.flagship_equivalent_cny)).toBeGreaterThan(3 * parseCnyToNano(flash.spend_cny));
    expect(parseCnyToNano(flash.savings_cny)).toBe(parseCnyToNano(flash.flagship_equivalent_cny) - parseCnyToNano(flash.spend_cny));
    const byKey = await raw(stack, '/admin/usage?group=key&since=2020-01-01', { headers: admin });
    expect(byKey.json.total.requests).toBe(byKey.json.rows.reduce((sum: number, row: { requests: number }) => sum + row.requests, 0));
    const bad = await raw(stack, '/admin/usage?group=colour', { headers: admin });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('group');
  });
});
