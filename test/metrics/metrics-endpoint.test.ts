import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from '../e2e/harness.js';
import { parseExposition } from './exposition-checker.js';

const adminKey = 'tg-admin-metrics-key-0123456789';
let stack: Stack;
let clientKey: string;
const admin = { authorization: `Bearer ${adminKey}` };

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
`);
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'metrics' }) });
  clientKey = created.json.key;
  for (let i = 0; i < 3; i += 1) {
    const answer = await raw(stack, '/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: `hello ${i}` }] }),
    });
    expect(answer.status).toBe(200);
  }
});
afterAll(async () => stack?.close());

describe('GET /metrics and /admin/dashboard/overview over HTTP', () => {
  it('needs the admin key: a client key is refused', async () => {
    expect((await raw(stack, '/metrics')).status).toBe(401);
    expect((await raw(stack, '/metrics', { headers: { authorization: `Bearer ${clientKey}` } })).status).toBe(403);
  });

  it('serves valid exposition text counting the calls made', async () => {
    const response = await fetch(`${stack.gateway.url}/metrics`, { headers: admin });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(await response.text());
    const requests = families.find((f) => f.name === 'tidegate_requests_total')!;
    expect(requests.samples).toEqual([{ name: 'tidegate_requests_total', labels: { model: 'deepseek-v4-pro', provider: 'deepseek', route: 'deepseek-v4-pro', status_class: '2xx', cache: 'bypass' }, value: 3 }]);
  });

  it('reports the same requests and spend in the overview as in /admin/usage', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100)); // rows leave through the writer's queue
    const overview = await raw(stack, '/admin/dashboard/overview?tz=UTC', { headers: admin });
    expect(overview.status).toBe(200);
    const usage = await raw(stack, '/admin/usage?group=model', { headers: admin });
    expect(overview.json.total.requests).toBe(3);
    expect(overview.json.total.spend_cny).toBe(usage.json.total.spend_cny);
    expect((await raw(stack, '/admin/dashboard/overview?tz=Asia/Kolkata', { headers: admin })).status).toBe(400);
    const badDay = await raw(stack, '/admin/dashboard/overview?from=2026-13-45&to=2027-01-01', { headers: admin });
    expect([badDay.status, badDay.json.error.param]).toEqual([400, 'from']);
    expect(badDay.json.error.message).toMatch(/YYYY-MM-DD/);
  });
});
