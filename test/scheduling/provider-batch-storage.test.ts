import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchCounts, dueJobs, forwardedLines, getBatch, getJob, insertBatchWithLines, migrate, openDatabase, openProviderBatches, providerBatchesOf,
  queryRequestLog, requeueForwardedLines, settleForwardedLine, updateProviderBatch, type Database, type NewJob,
} from '../../src/storage/index.js';
import { makeRow, targets, type Target } from '../storage/storage-targets.js';

const line = (id: string, overrides: Partial<NewJob> = {}): NewJob => ({
  id, batch_id: 'batch_p', custom_id: id, line_no: Number(id.replace(/\D/g, '')) || 0, api_key_id: null, scenario: null, model: 'plus',
  body: '{}', status: 'upstream', provider_batch_id: 'pbatch_1', created_at: 1_000, not_before: 1_000, deadline_at: 100_000, plan: 'qwen batch API ×0.5', ...overrides,
});

const answered = { status: 'succeeded' as const, statusCode: 200, requestId: 'req_fwd_1', result: '{"ok":true}', inputTokens: 10, outputTokens: 5, costNanoCny: 25, onDemandNanoCny: 50, tariff: 'batch', finishedAt: 5_000 };

describe.each(targets)('forwarded batch lines (migration 0008): $name', (target: Target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
    await migrate(database);
    await insertBatchWithLines(database, {
      id: 'batch_p', api_key_id: null, endpoint: '/v1/chat/completions', input_file_id: 'file_in', completion_window: '24h', status: 'in_progress', total: 3, metadata: null,
      created_at: 1_000, expires_at: 100_000, in_progress_at: 1_000, finalizing_at: null, completed_at: null, cancelled_at: null, expired_at: null, output_file_id: null, error_file_id: null,
    }, [{
      id: 'pbatch_1', batch_id: 'batch_p', provider: 'qwen', status: 'pending', lines: 3, cancel_requested: 0, created_at: 1_000,
      upstream_input_file_id: null, upstream_batch_id: null, upstream_status: null, submitted_at: null, polled_at: null, settled_at: null, error: null,
    }], [line('l1'), line('l2'), line('l3')]);
  });
  afterAll(async () => {
    if (database === undefined) return;
    await database.close();
    await store.cleanup();
  });

  it('stores a batch, its provider batch and its lines together; forwarded lines are never picked by the runner', async () => {
    expect(await getBatch(database, 'batch_p')).toMatchObject({ status: 'in_progress', total: 3 });
    expect(await dueJobs(database, 10_000, 10)).toEqual([]);
    expect(await batchCounts(database, 'batch_p')).toMatchObject({ upstream: 3, queued: 0 });
    expect((await openProviderBatches(database)).map((row) => row.id)).toEqual(['pbatch_1']);
  });

  it('stores the upstream ids as they arrive; a state change only applies from the expected state', async () => {
    expect(await updateProviderBatch(database, 'pbatch_1', ['pending'], { upstream_input_file_id: 'file-up' })).toBe(true);
    expect(await updateProviderBatch(database, 'pbatch_1', ['pending'], { status: 'submitted', upstream_batch_id: 'batch_up', upstream_status: 'validating' })).toBe(true);
    expect(await updateProviderBatch(database, 'pbatch_1', ['pending'], { status: 'settled' })).toBe(false);
    expect(await providerBatchesOf(database, 'batch_p')).toEqual([expect.objectContaining({ status: 'submitted', upstream_input_file_id: 'file-up', upstream_batch_id: 'batch_up', cancel_requested: 0 })]);
  });

  it('settles a line and its ledger row together, once: settling again after a restart bills nothing', async () => {
    expect(await settleForwardedLine(database, 'l1', answered, makeRow({ id: 'req_fwd_1', costNanoCny: 25 }))).toBe(true);
    expect(await settleForwardedLine(database, 'l1', answered, makeRow({ id: 'req_fwd_2', costNanoCny: 25 }))).toBe(false);
    expect((await queryRequestLog(database, { limit: 10 })).map((row) => row.id)).toEqual(['req_fwd_1']);
    expect(await getJob(database, 'l1')).toMatchObject({ status: 'succeeded', request_id: 'req_fwd_1', cost_nano_cny: 25, on_demand_nano_cny: 50, tariff: 'batch', attempt: 1 });
    expect((await forwardedLines(database, 'pbatch_1')).map((job) => job.id)).toEqual(['l2', 'l3']);
  });

  it('hands lines back to the runner when the provider refuses them (auto mode)', async () => {
    expect(await requeueForwardedLines(database, ['l3'], 6_000, 'refused; run by Tidegate')).toBe(1);
    expect((await dueJobs(database, 6_000, 10)).map((job) => job.id)).toEqual(['l3']);
    expect(await getJob(database, 'l3')).toMatchObject({ status: 'queued', provider_batch_id: null, plan: 'refused; run by Tidegate' });
    expect(await batchCounts(database, 'batch_p')).toMatchObject({ succeeded: 1, upstream: 1, queued: 1 });
  });
});
