import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;
const admin = { authorization: 'Bearer admin-secret', 'content-type': 'application/json' };

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: admin-secret }
scheduling: { queueDepth: 3, agingMs: 600000, standardMaxWaitMs: 30000, interactiveMaxWaitMs: 30000 }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen, limits: { concurrency: 2 } }
`);
});
afterAll(async () => stack?.close());

const chat = (content: string, headers: Record<string, string>) =>
  raw(stack, '/v1/chat/completions', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'qwen-plus', messages: [{ role: 'user', content }] }) });

describe('priority entitlement and admission under overload', () => {
  it("a key capped at standard asking for interactive is downgraded, visibly in the header and the log", async () => {
    const created = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'office', max_priority: 'standard' }) });
    expect(created.status).toBe(201);
    expect(created.json.max_priority).toBe('standard');
    const response = await chat('hello', { authorization: `Bearer ${created.json.key}`, 'x-tidegate-priority': 'interactive' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tidegate-priority')).toBe('standard; downgraded-from=interactive');
    const listed = await raw(stack, '/admin/keys', { headers: admin });
    expect(listed.json.data.find((key: { id: string }) => key.id === created.json.id).max_priority).toBe('standard');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const rows = await raw(stack, '/admin/requests?limit=1', { headers: admin });
    expect(rows.json.data[0]).toMatchObject({ priority: 'standard', priorityRequested: 'interactive' });
  });

  it("deferred work runs under the submitting key: its budget applies, and other keys cannot see the job", async () => {
    const poor = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'poor', daily_budget_cny: '0.000000001' }) });
    const other = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'other' }) });
    const accepted = await chat('defer me', { authorization: `Bearer ${poor.json.key}`, 'x-tidegate-priority': 'deferrable' });
    expect(accepted.status).toBe(202);
    let job = await raw(stack, `/v1/jobs/${accepted.json.id}`, { headers: { authorization: `Bearer ${poor.json.key}` } });
    for (let i = 0; i < 500 && job.json.status === 'queued'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      job = await raw(stack, `/v1/jobs/${accepted.json.id}`, { headers: { authorization: `Bearer ${poor.json.key}` } });
    }
    expect(job.json).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    const hidden = await raw(stack, `/v1/jobs/${accepted.json.id}`, { headers: { authorization: `Bearer ${other.json.key}` } });
    expect(hidden.status).toBe(404);
  });

  it('/v1/messages honours interactive and standard; deferrable is refused there with a stable code', async () => {
    const response = await raw(stack, '/v1/messages', {
      method: 'POST',
      headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json', 'x-tidegate-priority': 'deferrable' },
      body: JSON.stringify({ model: 'qwen-plus', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(response.json.error.code).toBe('invalid_priority');
  });

  it('2× overload: interactive requests overtake queued standard ones, none is shed; a full standard queue answers 429 with Retry-After', async () => {
    stack.simulator.reset();
    stack.simulator.script('qwen', Array.from({ length: 12 }, () => ({ kind: 'delay' as const, ms: 400, then: { kind: 'ok' as const } })));
    const headers = { authorization: 'Bearer admin-secret' };
    const standard = Array.from({ length: 6 }, (_, i) => chat(`s-${i}`, { ...headers, 'x-tidegate-priority': 'standard' }));
    // Wait (by state, not time) until two standard calls run and three wait; the sixth has been shed.
    const scheduler = stack.gateway.services.scheduler!;
    while (scheduler.snapshot().classes.standard.shed < 1 || scheduler.snapshot().models[0]?.waiting.standard !== 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const interactive = Array.from({ length: 3 }, (_, i) => chat(`i-${i}`, { ...headers, 'x-tidegate-priority': 'interactive' }));
    const [standardResults, interactiveResults] = await Promise.all([Promise.all(standard), Promise.all(interactive)]);

    expect(interactiveResults.map((r) => r.status)).toEqual([200, 200, 200]);
    const shed = standardResults.filter((r) => r.status === 429);
    expect(shed).toHaveLength(1); // 2 running + 3 queued; the sixth finds the queue full
    expect(shed[0]!.json.error.code).toBe('queue_full');
    expect(Number(shed[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    for (const response of [...standardResults, ...interactiveResults].filter((r) => r.status === 200)) expect(response.headers.get('x-tidegate-queue-ms')).toMatch(/^\d+$/);

    // Upstream order: the two standard calls that found free slots, then every interactive one, then the queued standard ones.
    const order = stack.simulator.requests.map((request) => ((request.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content)[0]);
    expect(order).toEqual(['s', 's', 'i', 'i', 'i', 's', 's', 's']);

    await new Promise((resolve) => setTimeout(resolve, 50));
    const report = await raw(stack, '/admin/scheduling', { headers: admin });
    const classes = Object.fromEntries(report.json.classes.map((row: { priority: string }) => [row.priority, row]));
    expect(classes.interactive).toMatchObject({ requests: 3, shed: 0 });
    expect(classes.standard).toMatchObject({ shed: 1, downgraded: 1 });
    expect(report.json.live.classes.standard.shed).toBe(1);
  });
});
