import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from '../e2e/harness.js';
import { parseExposition } from './exposition-checker.js';

// Deferred jobs commit their request-log row with the job (batch/job-runner.ts), not through the ledger:
// /metrics must count them all the same.
const adminKey = 'tg-admin-batch-rows-0123456789';
const admin = { authorization: `Bearer ${adminKey}` };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
scheduling: { pollIntervalMs: 20 }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen }
`);
});
afterAll(async () => stack?.close());

async function requestsTotal(): Promise<number> {
  const families = parseExposition(await (await fetch(`${stack.gateway.url}/metrics`, { headers: admin })).text());
  const family = families.find((candidate) => candidate.name === 'tidegate_requests_total');
  return (family?.samples ?? []).filter((sample) => sample.labels.model === 'qwen-plus' && sample.labels.status_class === '2xx').reduce((sum, sample) => sum + sample.value, 0);
}

describe('/metrics counts requests served through the deferred (batch) path', () => {
  it('a deferred job that ran is counted once, like the row in the request log', async () => {
    expect(await requestsTotal()).toBe(0);
    const accepted = await raw(stack, '/v1/chat/completions', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json', 'x-tidegate-priority': 'deferrable' },
      body: JSON.stringify({ model: 'qwen-plus', messages: [{ role: 'user', content: 'later is fine' }] }),
    });
    expect(accepted.status).toBe(202);
    expect(await requestsTotal()).toBe(0); // accepted, not yet a model call
    let job = await raw(stack, `/v1/jobs/${accepted.json.id}`, { headers: admin });
    for (let i = 0; i < 500 && job.json.status !== 'succeeded' && job.json.status !== 'failed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await raw(stack, `/v1/jobs/${accepted.json.id}`, { headers: admin });
    }
    expect(job.json.status).toBe('succeeded');
    expect(await requestsTotal()).toBe(1);
    const rows = await raw(stack, '/admin/requests?limit=10', { headers: admin });
    expect(rows.json.data.filter((row: { priority: string }) => row.priority === 'deferrable')).toHaveLength(1);
    const families = parseExposition(await (await fetch(`${stack.gateway.url}/metrics`, { headers: admin })).text());
    const spend = families.find((candidate) => candidate.name === 'tidegate_spend_cny_total')!;
    expect(spend.samples.find((sample) => sample.labels.model === 'qwen-plus')!.value).toBeGreaterThan(0);
  });
});
