import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderBatchForwarder } from '../../src/batch/provider-batch-forwarder.js';
import { soleLeadership, type Leadership } from '../../src/cluster/job-leases.js';
import { LeaseLostError } from '../../src/cluster/leader-lease.js';
import { parseConfigText } from '../../src/config/index.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { Services } from '../../src/pipeline/services.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { insertBatchWithLines, migrate, openDatabase, openProviderBatches, providerBatchesOf, type Database, type NewJob } from '../../src/storage/index.js';
import { simulatedProvider } from '../e2e/harness.js';

let simulator: Simulator;
let dir: string;
let database: Database;
let services: Services;

beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator?.close();
});
beforeEach(async () => {
  simulator.batches.reset();
  dir = mkdtempSync(join(tmpdir(), 'tidegate-pbatch-takeover-'));
  database = await openDatabase(`sqlite:${join(dir, 'tidegate.db')}`);
  await migrate(database);
  const config = parseConfigText(`storage: { url: "sqlite:${join(dir, 'tidegate.db')}" }
providers:${simulatedProvider(simulator, 'qwen', '\n    batch: { mode: provider }')}
models:
  - { id: qwen-plus, provider: qwen }
`, 'tidegate.yaml', {});
  // What the forwarder's submit step reads: the providers and models of the config.
  services = { config, models: new Map(config.models.map((model) => [model.id, model])), logger: silentLogger } as unknown as Services;
});
afterEach(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client batch of `count` lines forwarded to qwen's batch API, not yet submitted. */
async function pendingProviderBatch(count: number) {
  const now = Date.now();
  const batch = {
    id: 'batch_client', api_key_id: null, endpoint: '/v1/chat/completions', input_file_id: 'file_in', completion_window: '24h', status: 'in_progress', total: count, metadata: null,
    created_at: now, expires_at: now + 86_400_000, in_progress_at: now, finalizing_at: null, completed_at: null, cancelled_at: null, expired_at: null, output_file_id: null, error_file_id: null,
  };
  const providerBatch = { id: 'pbatch_1', batch_id: batch.id, provider: 'qwen', status: 'pending', lines: count, cancel_requested: 0, created_at: now, upstream_input_file_id: null, upstream_batch_id: null, upstream_status: null, submitted_at: null, polled_at: null, settled_at: null, error: null };
  const jobs: NewJob[] = Array.from({ length: count }, (_, i) => ({
    id: `job_${i}`, batch_id: batch.id, custom_id: `c${i}`, line_no: i + 1, api_key_id: null, scenario: null, model: 'qwen-plus',
    body: JSON.stringify({ model: 'qwen-plus', messages: [{ role: 'user', content: `line ${i}` }] }), status: 'upstream', created_at: now, not_before: now, deadline_at: now + 86_400_000, plan: 'provider', provider_batch_id: providerBatch.id,
  }));
  await insertBatchWithLines(database, batch, [providerBatch], jobs);
  return (await openProviderBatches(database))[0]!;
}

/** A leader that dies (its lease is gone) at its `fatal`-th fenced write: nothing of that write commits. */
function dyingLeadership(fatal: number): Leadership {
  const sole = soleLeadership(database, 'provider-batches');
  let writes = 0;
  return {
    ...sole,
    sole: false,
    fenced: (write) => {
      writes += 1;
      if (writes >= fatal) throw new LeaseLostError('provider-batches', 1);
      return sole.fenced(write);
    },
  };
}

const forwarder = (leadership: Leadership) => new ProviderBatchForwarder(database, () => services, { now: Date.now, pollIntervalMs: 60_000, onSettled: async () => undefined, leadership });

/** Other batches at the provider, newer than ours, so the search has to page (100 a page). */
async function otherBatches(count: number): Promise<void> {
  const client = new OpenAI({ baseURL: simulator.baseUrlFor('qwen'), apiKey: 'sk-simulated-qwen' });
  const file = await client.files.create({ file: await toFile(Buffer.from(`${JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [] } })}\n`), 'other.jsonl'), purpose: 'batch' });
  for (let i = 0; i < count; i++) await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { tidegate_provider_batch: `pbatch_other_${i}` } });
}

describe('provider batches: a node that dies between creating the upstream batch and recording its id', () => {
  it('the next leader finds the batch it created (by its metadata, past the first page) instead of creating it twice', async () => {
    const row = await pendingProviderBatch(3);
    // Writes of the dying leader: 1 the uploaded file id, 2 "creating", then the create call, 3 the upstream id (dies).
    await expect(forwarder(dyingLeadership(3)).submit(row)).rejects.toBeInstanceOf(LeaseLostError);
    expect(simulator.batches.batches).toHaveLength(1);
    const created = simulator.batches.batches[0]!;
    expect(created.metadata).toEqual({ tidegate_batch: 'batch_client', tidegate_provider_batch: 'pbatch_1' });
    const left = (await providerBatchesOf(database, 'batch_client'))[0]!;
    expect(left).toMatchObject({ status: 'pending', upstream_status: 'creating', upstream_batch_id: null });
    await otherBatches(120);

    await forwarder(soleLeadership(database, 'provider-batches')).submit(left);
    expect(simulator.batches.batches.filter((batch) => (batch.metadata as Record<string, string>).tidegate_provider_batch === 'pbatch_1')).toHaveLength(1);
    expect((await providerBatchesOf(database, 'batch_client'))[0]).toMatchObject({ status: 'submitted', upstream_batch_id: created.id });
  });

  it('finds it by metadata alone when no input file id was recorded', async () => {
    const row = await pendingProviderBatch(2);
    await expect(forwarder(dyingLeadership(3)).submit(row)).rejects.toBeInstanceOf(LeaseLostError);
    const created = simulator.batches.batches[0]!;
    await database.db.updateTable('provider_batches').set({ upstream_input_file_id: null }).where('id', '=', 'pbatch_1').execute();
    await forwarder(soleLeadership(database, 'provider-batches')).submit((await providerBatchesOf(database, 'batch_client'))[0]!);
    expect(simulator.batches.batches).toHaveLength(1);
    expect((await providerBatchesOf(database, 'batch_client'))[0]).toMatchObject({ status: 'submitted', upstream_batch_id: created.id });
  });

  it('a leader that dies before the create call leaves nothing upstream, and the next one creates the batch once', async () => {
    const row = await pendingProviderBatch(2);
    await expect(forwarder(dyingLeadership(2)).submit(row)).rejects.toBeInstanceOf(LeaseLostError); // dies at "creating"
    expect(simulator.batches.batches).toHaveLength(0);
    await forwarder(soleLeadership(database, 'provider-batches')).submit((await providerBatchesOf(database, 'batch_client'))[0]!);
    expect(simulator.batches.batches).toHaveLength(1);
    expect((await providerBatchesOf(database, 'batch_client'))[0]).toMatchObject({ status: 'submitted', upstream_batch_id: simulator.batches.batches[0]!.id });
  });
});

describe('the simulator lists batches as OpenAI does', () => {
  it('newest first, limit and after, has_more, metadata echoed and checked', async () => {
    simulator.batches.reset();
    await otherBatches(5);
    const url = `${simulator.baseUrlFor('qwen')}/batches`;
    const get = async (query: string) => (await fetch(`${url}${query}`, { headers: { authorization: 'Bearer sk-simulated-qwen' } })).json() as Promise<any>;
    const first = await get('?limit=2');
    expect(first.data.map((batch: any) => batch.metadata.tidegate_provider_batch)).toEqual(['pbatch_other_4', 'pbatch_other_3']);
    expect(first).toMatchObject({ object: 'list', has_more: true, first_id: first.data[0].id, last_id: first.data[1].id });
    const rest = await get(`?limit=100&after=${first.last_id}`);
    expect(rest.data.map((batch: any) => batch.metadata.tidegate_provider_batch)).toEqual(['pbatch_other_2', 'pbatch_other_1', 'pbatch_other_0']);
    expect(rest.has_more).toBe(false);
    expect((await get('')).data).toHaveLength(5); // default limit 20
    const client = new OpenAI({ baseURL: simulator.baseUrlFor('qwen'), apiKey: 'sk-simulated-qwen' });
    const file = await client.files.create({ file: await toFile(Buffer.from('{}\n'), 'x.jsonl'), purpose: 'batch' });
    await expect(client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { n: 1 as unknown as string } })).rejects.toMatchObject({ status: 400 });
  });
});
