import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import OpenAI, { toFile } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { openDatabase, type Database } from '../../src/storage/index.js';
import { simulatedProvider, upstreamCallsPerLine } from '../e2e/harness.js';
import { POSTGRES_URL, uniqueSchema } from '../storage/storage-targets.js';
import { killAll, startNodeProcess, type NodeProcess } from './node-process.js';

const LINES = 120;
const CONCURRENCY = 8;
const LEASE_TTL_MS = 3_000;

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

interface Cluster {
  simulator: Simulator;
  database: Database;
  nodes: NodeProcess[];
  close(): Promise<void>;
}

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** N gateway processes on one fresh PostgreSQL schema, in front of a slow fake provider. */
async function startCluster(count: number, extraYaml: string): Promise<Cluster> {
  const simulator = await startSimulator({ latencyMs: 400 });
  const schema = uniqueSchema('takeover');
  const storageUrl = `${POSTGRES_URL}?schema=${schema}`;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-takeover-'));
  const yaml = (name: string) => `server: { port: 0 }
storage: { url: "${storageUrl}" }
requestLog: { flushIntervalMs: 10 }
scheduling: { pollIntervalMs: 50, runnerConcurrency: ${CONCURRENCY} }
cluster: { nodeId: ${name}, leaseTtlMs: ${LEASE_TTL_MS} }
${extraYaml}
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen, limits: { concurrency: ${CONCURRENCY} } }
`;
  const nodes: NodeProcess[] = [];
  // The first node migrates the schema alone; the others start together.
  nodes.push(await startNodeProcess(dir, 'node-1', yaml('node-1')));
  nodes.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startNodeProcess(dir, `node-${i + 2}`, yaml(`node-${i + 2}`))))));
  const database = await openDatabase(storageUrl);
  return {
    simulator, database, nodes,
    async close() {
      await killAll(nodes);
      await database.close();
      const admin = await openDatabase(POSTGRES_URL);
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db).finally(() => admin.close());
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface LineAtKill {
  line: number;
  status: string;
  sent: boolean;
}

/**
 * Submits a batch of LINES lines, lets the runner's leader finish some, SIGKILLs it with lines in flight at the
 * slow provider, and waits for another node to take over and finish the batch.
 */
async function killLeaderMidBatch(c: Cluster) {
  const entry = c.nodes[1]!;
  const openai = new OpenAI({ baseURL: `${entry.url}/v1`, apiKey: 'unused' });
  const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [{ role: 'user', content: `line ${i}` }] } }));
  const file = await openai.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'input.jsonl'), purpose: 'batch' });
  const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const runnerLease = async () => {
    const { rows } = await sql<{ holder: string; epoch: string }>`select holder, epoch from cluster_leases where name = 'batch-runner'`.execute(c.database.db);
    return rows[0] ? { holder: rows[0].holder, epoch: Number(rows[0].epoch) } : undefined;
  };

  const first = await until(runnerLease, 10_000);
  const succeeded = async () => Number((await sql<{ n: string }>`select count(*) as n from jobs where batch_id = ${batch.id} and status = 'succeeded'`.execute(c.database.db)).rows[0]!.n);
  await until(async () => (await succeeded()) >= 2 * CONCURRENCY, 30_000);
  // Kill while a line is at the provider (a 400 ms call sent a moment ago is still in flight).
  await until(async () => Number((await sql<{ n: string }>`select count(*) as n from jobs where batch_id = ${batch.id} and status = 'running' and sent_at is not null and sent_at > ${Date.now() - 200}`.execute(c.database.db)).rows[0]!.n) > 0, 30_000);
  const leader = c.nodes.find((node) => node.name === first.holder)!;
  leader.child.kill('SIGKILL');
  const killedAt = Date.now();
  await leader.exited;
  await new Promise((resolve) => setTimeout(resolve, 200)); // calls already on the wire reach the fake provider
  // Nothing writes the lines until the lease expires: this is what the dead leader left.
  const atKill: LineAtKill[] = (await sql<{ line_no: number; status: string; sent_at: string | null }>`select line_no, status, sent_at from jobs where batch_id = ${batch.id}`.execute(c.database.db)).rows
    .map((row) => ({ line: Number(row.line_no) - 1, status: row.status, sent: row.sent_at !== null }));
  const callsAtKill = upstreamCallsPerLine(c.simulator);

  const next = await until(async () => {
    const lease = await runnerLease();
    return lease && lease.holder !== first.holder ? lease : undefined;
  }, 30_000);
  const takeoverMs = Date.now() - killedAt;
  const survivor = new OpenAI({ baseURL: `${c.nodes.find((node) => node.name === next.holder)!.url}/v1`, apiKey: 'unused' });
  const done = await until(async () => {
    const state = await survivor.batches.retrieve(batch.id);
    return state.status === 'completed' ? state : undefined;
  }, 40_000);
  const jobs = (await sql<{ line_no: number; status: string; request_id: string; attempt: number; error: string | null }>`select line_no, status, request_id, attempt, error from jobs where batch_id = ${batch.id}`.execute(c.database.db)).rows
    .map((row) => ({ ...row, line: Number(row.line_no) - 1, attempt: Number(row.attempt) }));
  const ledger = (await sql<{ id: string }>`select id from request_log`.execute(c.database.db)).rows.map((row) => row.id);
  const fileLines = async (id: string | null | undefined) => (id ? (await (await survivor.files.content(id)).text()).trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; error: { code: string; message: string } | null }) : []);
  return {
    first, next, takeoverMs, atKill, callsAtKill, done, jobs, ledger,
    calls: upstreamCallsPerLine(c.simulator),
    output: await fileLines(done.output_file_id),
    errors: await fileLines(done.error_file_id),
  };
}

describe('a batch shared by gateway processes on PostgreSQL, its runner leader SIGKILLed with lines in flight', () => {
  it('by default no line runs twice: another node takes over within 30 s, lines never sent are answered, lines sent when the leader died fail with interrupted_unknown_outcome', async () => {
    cluster = await startCluster(3, '');
    const run = await killLeaderMidBatch(cluster);
    const sentAtKill = run.atKill.filter((line) => line.status === 'running' && line.sent);
    const claimedNotSent = run.atKill.filter((line) => line.status === 'running' && !line.sent);
    console.log(`runner leader ${run.first.holder} (epoch ${run.first.epoch}) SIGKILLed with ${sentAtKill.length} lines sent and ${claimedNotSent.length} claimed but not sent; ${run.next.holder} took over after ${run.takeoverMs} ms (lease TTL ${LEASE_TTL_MS} ms), epoch ${run.next.epoch}`);
    expect(run.next.epoch).toBeGreaterThan(run.first.epoch);
    expect(run.takeoverMs).toBeLessThanOrEqual(30_000);
    expect(sentAtKill.length).toBeGreaterThan(0);

    // Every line reached the provider at most once.
    expect([...run.calls.entries()].filter(([, calls]) => calls > 1)).toEqual([]);
    // The lines sent when the leader died were not sent again, and end as failed with the stable code.
    const interrupted = new Set(sentAtKill.map((line) => line.line));
    for (const line of interrupted) {
      expect(run.calls.get(line) ?? 0).toBe(run.callsAtKill.get(line) ?? 0);
      expect(run.jobs.find((job) => job.line === line)).toMatchObject({ status: 'failed', attempt: 1 });
    }
    // Every other line (done, queued, or claimed but never sent) has its answer, from exactly one call.
    for (const job of run.jobs.filter((job) => !interrupted.has(job.line))) {
      expect({ line: job.line, status: job.status, calls: run.calls.get(job.line) }).toEqual({ line: job.line, status: 'succeeded', calls: 1 });
    }
    for (const line of claimedNotSent) expect(run.jobs.find((job) => job.line === line.line)).toMatchObject({ status: 'succeeded', attempt: 2 });

    // The batch completes; the interrupted lines are in its error file like any failed line.
    expect(run.done.request_counts).toEqual({ total: LINES, completed: LINES - interrupted.size, failed: interrupted.size });
    expect(run.output.map((line) => line.custom_id).sort()).toEqual(run.jobs.filter((job) => !interrupted.has(job.line)).map((job) => `c${job.line}`).sort());
    expect(run.errors.map((line) => line.custom_id).sort()).toEqual([...interrupted].map((line) => `c${line}`).sort());
    for (const line of run.errors) {
      expect(line.error?.code).toBe('interrupted_unknown_outcome');
      expect(line.error?.message).toMatch(/may have run it.*not retried, so that it does not run twice/);
    }
    // Billed once per answered line; nothing for the lost attempts.
    expect(run.ledger.sort()).toEqual(run.jobs.filter((job) => job.status === 'succeeded').map((job) => job.request_id).sort());
  }, 120_000);

  it('with batch.retryInterrupted: true, a line sent when the leader died is retried exactly once and every line gets an answer', async () => {
    cluster = await startCluster(2, 'batch: { retryInterrupted: true }');
    const run = await killLeaderMidBatch(cluster);
    const sentAtKill = run.atKill.filter((line) => line.status === 'running' && line.sent);
    console.log(`retryInterrupted: ${sentAtKill.length} lines sent when ${run.first.holder} was SIGKILLed; ${run.next.holder} took over after ${run.takeoverMs} ms`);
    expect(run.takeoverMs).toBeLessThanOrEqual(30_000);
    expect(sentAtKill.length).toBeGreaterThan(0);
    expect(run.done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
    expect(run.output.map((line) => line.custom_id).sort()).toEqual(Array.from({ length: LINES }, (_, i) => `c${i}`).sort());
    const retried = new Set(sentAtKill.map((line) => line.line));
    for (const job of run.jobs) {
      const calls = run.calls.get(job.line) ?? 0;
      if (retried.has(job.line)) {
        // One more attempt and one more call after the takeover: retried exactly once.
        expect({ line: job.line, attempt: job.attempt, callsAfterKill: calls - (run.callsAtKill.get(job.line) ?? 0) }).toEqual({ line: job.line, attempt: 2, callsAfterKill: 1 });
      } else {
        expect({ line: job.line, calls }).toEqual({ line: job.line, calls: 1 });
      }
    }
    expect(run.ledger.sort()).toEqual(run.jobs.map((job) => job.request_id).sort());
  }, 120_000);
});
