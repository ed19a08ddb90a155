import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toFile } from 'openai';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/** A clock the test moves: Wednesday 2026-11-25, 11:55 Beijing (DeepSeek peak until 12:00). */
const clock = { at: Date.parse('2026-11-25T11:55:00+08:00') };
let stack: Stack;

beforeAll(async () => {
  stack = await startStack(
    (simulator) => `
scheduling: { pollIntervalMs: 20, runnerConcurrency: 16 }
scenarios:
  research: { priority: deferrable, deadlineHours: 8 }
  chat: { priority: interactive }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, limits: { concurrency: 8 } }
`,
    { now: () => clock.at },
  );
});
afterAll(async () => stack?.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 2_000; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('condition never met');
}

describe('OpenAI Batch API through the official client', () => {
  it('files.create, batches.create, batches.retrieve and files.content: 1,000 lines submitted at 11:55 start at 12:00 off-peak and cost 50% of on-demand', async () => {
    clock.at = Date.parse('2026-11-25T11:55:00+08:00');
    const lines = Array.from({ length: 1_000 }, (_, i) => JSON.stringify({ custom_id: `line-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'deepseek-flash', messages: [{ role: 'user', content: `Summarise item ${i}` }] } }));
    const file = await stack.openai.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'input.jsonl'), purpose: 'batch' });
    expect(file).toMatchObject({ object: 'file', purpose: 'batch', filename: 'input.jsonl' });
    const batch = await stack.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    expect(batch).toMatchObject({ object: 'batch', status: 'in_progress', request_counts: { total: 1_000, completed: 0, failed: 0 } });

    // Still peak: nothing runs before the window opens.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.simulator.requests.length).toBe(0);
    expect((await stack.openai.batches.retrieve(batch.id)).request_counts?.completed).toBe(0);

    clock.at = Date.parse('2026-11-25T12:00:00+08:00');
    const done = await until(() => stack.openai.batches.retrieve(batch.id), (b) => b.status === 'completed');
    expect(done.request_counts).toEqual({ total: 1_000, completed: 1_000, failed: 0 });
    expect(done.error_file_id).toBeNull();
    const output = (await (await stack.openai.files.content(done.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(output).toHaveLength(1_000);
    expect(new Set(output.map((line) => line.custom_id)).size).toBe(1_000);
    expect(output[0]).toMatchObject({ custom_id: expect.stringMatching(/^line-/), response: { status_code: 200, body: { object: 'chat.completion' } }, error: null });
    // Exactly one upstream call and one ledger row per line.
    expect(stack.simulator.requests.length).toBe(1_000);

    const report = await raw(stack, '/admin/scheduling?since=2026-11-25&until=2026-11-26');
    expect(report.status).toBe(200);
    const deferred = report.json.deferred;
    expect(deferred.jobs).toBe(1_000);
    expect(deferred.deadline_misses).toBe(0);
    const cost = Number(deferred.cost_cny);
    const onDemand = Number(deferred.on_demand_cost_cny);
    expect(cost).toBeGreaterThan(0);
    expect(Math.abs(cost * 2 - onDemand)).toBeLessThan(1e-6);
    const rows = await stack.gateway.services.requestLog.recent({ limit: 1000 });
    expect(rows).toHaveLength(1_000);
    expect(new Set(rows.map((row) => (row as { tariff: string }).tariff))).toEqual(new Set(['off-peak']));
  }, 60_000);

  it('lists and cancels batches; unknown ids are 404 in the catalogue shape', async () => {
    clock.at = Date.parse('2026-11-25T15:00:00+08:00'); // peak: lines wait for 18:00
    const file = await stack.openai.files.create({ file: await toFile(Buffer.from(JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] } })), 'one.jsonl'), purpose: 'batch' });
    const batch = await stack.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const listed = await stack.openai.batches.list();
    expect(listed.data.map((b) => b.id)).toContain(batch.id);
    const cancelled = await stack.openai.batches.cancel(batch.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.request_counts).toEqual({ total: 1, completed: 0, failed: 1 });
    const errors = (await (await stack.openai.files.content(cancelled.error_file_id!)).text()).trim();
    expect(JSON.parse(errors)).toMatchObject({ custom_id: 'a', response: null, error: { code: 'batch_cancelled' } });
    const missing = await raw(stack, '/v1/batches/batch_nope');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('batch_not_found');
  });

  it('rejects a malformed input file with the line number', async () => {
    const file = await stack.openai.files.create({ file: await toFile(Buffer.from('{"custom_id":"x","method":"GET","url":"/v1/chat/completions","body":{}}'), 'bad.jsonl'), purpose: 'batch' });
    await expect(stack.openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).rejects.toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringContaining('line 1') });
  });
});

describe('deferrable chat requests', () => {
  it('answers 202 with a job that runs in the next off-peak window; GET /v1/jobs/:id returns the answer', async () => {
    clock.at = Date.parse('2026-11-25T16:00:00+08:00');
    const accepted = await raw(stack, '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tidegate-scenario': 'research' },
      body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'Research this' }] }),
    });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('x-tidegate-priority')).toBe('deferrable');
    expect(accepted.json).toMatchObject({ object: 'chat.completion.job', status: 'queued', not_before: '2026-11-25T10:00:00.000Z', deadline: '2026-11-25T16:00:00.000Z' });
    expect(accepted.json.plan).toContain('off-peak');
    clock.at = Date.parse('2026-11-25T18:00:00+08:00');
    const job = await until(() => raw(stack, `/v1/jobs/${accepted.json.id}`), (r) => r.json.status === 'succeeded');
    expect(job.json.result).toMatchObject({ object: 'chat.completion' });
    expect(job.json.tariff).toBe('off-peak');
  });

  it('work that can no longer finish fails with a reason before its deadline; an impossible deadline is refused at once', async () => {
    clock.at = Date.parse('2026-11-25T11:55:00+08:00');
    const send = (deadline: string) =>
      raw(stack, '/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tidegate-priority': 'deferrable', 'x-tidegate-deadline': deadline },
        body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'late' }] }),
      });
    const refused = await send('30s');
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('deadline_unreachable');
    const accepted = await send('2h'); // deadline 13:55; planned for the 12:00 off-peak window
    expect(accepted.json.not_before).toBe('2026-11-25T04:00:00.000Z');
    clock.at = Date.parse('2026-11-25T13:54:30+08:00'); // the window was missed (say, the gateway was down)
    const failed = await until(() => raw(stack, `/v1/jobs/${accepted.json.id}`), (r) => r.json.status !== 'queued');
    expect(failed.json).toMatchObject({ status: 'failed', error: { code: 'deadline_unreachable' } });
    expect(Date.parse(failed.json.finished_at)).toBeLessThan(Date.parse(failed.json.deadline));
  });

  it('an invalid x-tidegate-priority is a 400 with a stable code', async () => {
    const bad = await raw(stack, '/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tidegate-priority': 'urgent' },
      body: JSON.stringify({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'invalid_priority', type: 'invalid_request_error', param: 'x-tidegate-priority' });
  });

  it('interactive calls carry their class and queue wait in headers', async () => {
    const ok = await stack.openai.chat.completions
      .create({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-tidegate-scenario': 'chat' } })
      .withResponse();
    expect(ok.response.headers.get('x-tidegate-priority')).toBe('interactive');
    expect(ok.response.headers.get('x-tidegate-queue-ms')).toMatch(/^\d+$/);
  });
});
