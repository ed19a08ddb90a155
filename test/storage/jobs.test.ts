import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchCounts, claimJob, completeJob, deferredReport, dueJobs, getJob, insertBatch, insertFile, getFile, insertJobs, listBatches, migrate, openDatabase,
  priorityReport, queryRequestLog, recoverInterruptedJobs, updateBatch, type Database, type NewJob,
} from '../../src/storage/index.js';
import { makeRow, targets, type Target } from './storage-targets.js';

const job = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id, batch_id: 'batch_1', custom_id: id, line_no: Number(id.replace(/\D/g, '')) || 0, api_key_id: null, scenario: null, model: 'deepseek-flash',
  body: '{}', status: 'queued', created_at: 1_000, not_before: 2_000, deadline_at: 100_000, plan: 'off-peak', ...overrides,
});

const outcome = { status: 'succeeded' as const, statusCode: 200, result: '{"ok":true}', inputTokens: 10, outputTokens: 5, costNanoCny: 50, onDemandNanoCny: 100, tariff: 'off-peak', finishedAt: 3_000 };

describe.each(targets)('deferred jobs contract: $name', (target) => {
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

  it('returns due jobs only once their window opens, most urgent deadline first', async () => {
    await insertJobs(database, [job('job_1', { deadline_at: 50_000 }), job('job_2', { deadline_at: 40_000 }), job('job_3', { not_before: 9_000 })]);
    expect(await dueJobs(database, 1_999, 10)).toEqual([]);
    expect((await dueJobs(database, 2_000, 10)).map((j) => j.id)).toEqual(['job_2', 'job_1']);
  });

  it('claims an attempt once (compare-and-set), bills it once with its outcome, and ignores a stale attempt', async () => {
    const [first] = await dueJobs(database, 2_000, 1);
    expect(await claimJob(database, first!, 'req_a', 2_000)).toBe(true);
    expect(await claimJob(database, first!, 'req_b', 2_000)).toBe(false); // a second runner loses
    const row = makeRow({ id: 'req_a', costNanoCny: 50 });
    expect(await completeJob(database, first!.id, 'req_a', outcome, row)).toBe(true);
    expect(await completeJob(database, first!.id, 'req_a', outcome, row)).toBe(false); // a repeat bills nothing
    expect(await completeJob(database, first!.id, 'req_b', outcome, makeRow({ id: 'req_b' }))).toBe(false);
    const logged = await queryRequestLog(database, { limit: 10 });
    expect(logged.map((r) => r.id)).toEqual(['req_a']);
    expect(await getJob(database, first!.id)).toMatchObject({ status: 'succeeded', attempt: 1, request_id: 'req_a', cost_nano_cny: 50, on_demand_nano_cny: 100 });
  });

  it('after a crash, an interrupted attempt is queued again and its late outcome cannot bill', async () => {
    const [next] = await dueJobs(database, 2_000, 1);
    expect(await claimJob(database, next!, 'req_crashed', 2_000)).toBe(true);
    expect(await recoverInterruptedJobs(database)).toBe(1);
    expect(await completeJob(database, next!.id, 'req_crashed', outcome, makeRow({ id: 'req_crashed' }))).toBe(false);
    const again = (await getJob(database, next!.id))!;
    expect(again).toMatchObject({ status: 'queued', attempt: 1, request_id: null });
    expect(await claimJob(database, again, 'req_retry', 2_100)).toBe(true);
    expect(await completeJob(database, next!.id, 'req_retry', outcome, makeRow({ id: 'req_retry' }))).toBe(true);
    expect(await getJob(database, next!.id)).toMatchObject({ attempt: 2, request_id: 'req_retry' });
    expect(await batchCounts(database, 'batch_1')).toMatchObject({ succeeded: 2, queued: 1 });
    const report = await deferredReport(database, 0, 10_000);
    expect(report).toMatchObject({ jobs: 3, succeeded: 2, queued: 1, costNanoCny: 100, onDemandNanoCny: 200, deadlineMisses: 0 });
  });

  it('stores files and batches, pages batches newest first, and moves status only from the expected state', async () => {
    await insertFile(database, { id: 'file_1', api_key_id: 'key_a', purpose: 'batch', filename: 'in.jsonl', bytes: 3, created_at: 1, content: '{}\n' });
    expect(await getFile(database, 'file_1')).toMatchObject({ content: '{}\n', bytes: 3 });
    const batch = (id: string, created: number) => ({ id, api_key_id: 'key_a', endpoint: '/v1/chat/completions', input_file_id: 'file_1', completion_window: '24h', status: 'in_progress', total: 1, metadata: null, created_at: created, expires_at: created + 1, in_progress_at: created, finalizing_at: null, completed_at: null, cancelled_at: null, expired_at: null, output_file_id: null, error_file_id: null });
    for (const [id, at] of [['batch_a', 1], ['batch_b', 2], ['batch_c', 3]] as const) await insertBatch(database, batch(id, at));
    expect((await listBatches(database, 'key_a', 2)).map((b) => b.id)).toEqual(['batch_c', 'batch_b']);
    expect((await listBatches(database, 'key_a', 2, 'batch_b')).map((b) => b.id)).toEqual(['batch_a']);
    expect(await listBatches(database, 'key_other', 10)).toEqual([]);
    expect(await updateBatch(database, 'batch_a', ['in_progress'], { status: 'completed' })).toBe(true);
    expect(await updateBatch(database, 'batch_a', ['in_progress'], { status: 'cancelled' })).toBe(false);
  });

  it('reports waits, shed and downgraded requests per priority class from the request log', async () => {
    const { RequestLogWriter } = await import('../../src/storage/index.js');
    const writer = new RequestLogWriter(database, { batchSize: 10, flushIntervalMs: 10, queueLimit: 100 });
    writer.write(makeRow({ createdAt: 5_000, priority: 'interactive', queueMs: 10 }));
    writer.write(makeRow({ createdAt: 5_001, priority: 'interactive', queueMs: 30, status: 429, errorCode: 'queue_full' }));
    writer.write(makeRow({ createdAt: 5_002, priority: 'standard', priorityRequested: 'interactive', queueMs: 0 }));
    await writer.close();
    expect(await priorityReport(database, 5_000, 6_000)).toEqual([
      { priority: 'interactive', requests: 2, shed: 1, downgraded: 0, queueMsAvg: 20, queueMsMax: 30 },
      { priority: 'standard', requests: 1, shed: 0, downgraded: 1, queueMsAvg: 0, queueMsMax: 0 },
    ]);
  });
});
