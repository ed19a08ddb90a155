import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { openDatabase, type Database } from '../../src/storage/index.js';
import { simulatedProvider } from '../e2e/harness.js';
import { POSTGRES_URL, uniqueSchema } from '../storage/storage-targets.js';
import { killAll, startNodeProcess, type NodeProcess } from './node-process.js';

const LINES = 200;
const LEASE_TTL_MS = 3_000;
const schema = uniqueSchema('takeover');
const storageUrl = `${POSTGRES_URL}?schema=${schema}`;
let simulator: Simulator;
let dir: string;
let database: Database;
const nodes: NodeProcess[] = [];

const yaml = (name: string) => `server: { port: 0 }
storage: { url: "${storageUrl}" }
requestLog: { flushIntervalMs: 10 }
scheduling: { pollIntervalMs: 50, runnerConcurrency: 4 }
cluster: { nodeId: ${name}, leaseTtlMs: ${LEASE_TTL_MS} }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen, limits: { concurrency: 8 } }
`;

async function runnerLease(): Promise<{ holder: string; epoch: number } | undefined> {
  const { rows } = await sql<{ holder: string; epoch: string }>`select holder, epoch from cluster_leases where name = 'batch-runner'`.execute(database.db);
  return rows[0] ? { holder: rows[0].holder, epoch: Number(rows[0].epoch) } : undefined;
}

async function until<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Upstream calls per line, read from the prompt ("line 17") the fake provider received. */
function upstreamCalls(): Map<number, number> {
  const counts = new Map<number, number>();
  for (const request of simulator.requests) {
    const content = (request.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages?.[0]?.content;
    const match = typeof content === 'string' ? /^line (\d+)$/.exec(content) : null;
    if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}

beforeAll(async () => {
  simulator = await startSimulator({ latencyMs: 120 });
  dir = mkdtempSync(join(tmpdir(), 'tidegate-takeover-'));
  // The first node migrates the schema alone; the other two start together.
  nodes.push(await startNodeProcess(dir, 'node-1', yaml('node-1')));
  nodes.push(...(await Promise.all(['node-2', 'node-3'].map((name) => startNodeProcess(dir, name, yaml(name))))));
  database = await openDatabase(storageUrl);
}, 40_000);

afterAll(async () => {
  await killAll(nodes);
  await database?.close();
  const admin = await openDatabase(POSTGRES_URL);
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db).finally(() => admin.close());
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a batch shared by three gateway processes on PostgreSQL', () => {
  it('the runner leader is SIGKILLed mid-batch: another node takes over within the TTL, every line ends with one result, and only the lines in flight on the dead node reach the provider a second time', async () => {
    const entry = nodes[1]!;
    const openai = new OpenAI({ baseURL: `${entry.url}/v1`, apiKey: 'unused' });
    const lines = Array.from({ length: LINES }, (_, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [{ role: 'user', content: `line ${i}` }] } }));
    const file = await openai.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'input.jsonl'), purpose: 'batch' });
    const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });

    // One node leads the runner; let it finish some lines, then kill it without warning.
    const first = await until(runnerLease, 10_000);
    const succeeded = async () => Number((await sql<{ n: string }>`select count(*) as n from jobs where batch_id = ${batch.id} and status = 'succeeded'`.execute(database.db)).rows[0]!.n);
    await until(async () => (await succeeded()) >= 40, 20_000);
    const leader = nodes.find((node) => node.name === first.holder)!;
    leader.child.kill('SIGKILL');
    const killedAt = Date.now();
    await leader.exited;
    await new Promise((resolve) => setTimeout(resolve, 300)); // calls already on the wire reach the fake provider
    const inFlight = new Set(
      (await sql<{ line_no: number }>`select line_no from jobs where batch_id = ${batch.id} and status = 'running'`.execute(database.db)).rows.map((row) => Number(row.line_no) - 1),
    );
    const callsAtKill = upstreamCalls();
    const doneAtKill = await succeeded();

    // Another node takes the lease over once it expires, with a higher epoch.
    const next = await until(async () => {
      const lease = await runnerLease();
      return lease && lease.holder !== first.holder ? lease : undefined;
    }, 30_000);
    const takeoverMs = Date.now() - killedAt;
    expect(next.epoch).toBeGreaterThan(first.epoch);
    expect(takeoverMs).toBeLessThanOrEqual(30_000);

    const survivor = new OpenAI({ baseURL: `${nodes.find((node) => node.name === next.holder)!.url}/v1`, apiKey: 'unused' });
    const done = await until(async () => {
      const state = await survivor.batches.retrieve(batch.id);
      return state.status === 'completed' ? state : undefined;
    }, 30_000);
    console.log(`runner leader ${first.holder} (epoch ${first.epoch}) SIGKILLed after ${doneAtKill} of ${LINES} lines with ${inFlight.size} in flight; ${next.holder} took over after ${takeoverMs} ms (lease TTL ${LEASE_TTL_MS} ms), epoch ${next.epoch}`);
    expect(done.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });

    // Every line has exactly one result: one output line per custom_id, one ledger row per line.
    const output = (await (await survivor.files.content(done.output_file_id!)).text()).trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string });
    expect(output.map((line) => line.custom_id).sort()).toEqual(Array.from({ length: LINES }, (_, i) => `c${i}`).sort());
    const jobs = (await sql<{ request_id: string; attempt: number }>`select request_id, attempt from jobs where batch_id = ${batch.id}`.execute(database.db)).rows;
    const ledger = (await sql<{ id: string }>`select id from request_log`.execute(database.db)).rows.map((row) => row.id);
    expect(ledger.sort()).toEqual(jobs.map((job) => job.request_id).sort());

    // The provider saw each line once, except the lines in flight on the killed node whose call had reached it:
    // those were queued again by the new leader and ran exactly once more.
    const calls = upstreamCalls();
    const retriedAfterCall = [...inFlight].filter((line) => callsAtKill.get(line) === 1);
    for (let line = 0; line < LINES; line++) {
      const expected = inFlight.has(line) && callsAtKill.get(line) === 1 ? 2 : 1;
      expect({ line, calls: calls.get(line) ?? 0 }).toEqual({ line, calls: expected });
    }
    expect(inFlight.size).toBeGreaterThan(0);
    expect(jobs.filter((job) => Number(job.attempt) === 2)).toHaveLength(inFlight.size);
    console.log(`${retriedAfterCall.length} of the ${inFlight.size} lines in flight had reached the provider and were called twice; the other ${LINES - retriedAfterCall.length} lines once`);
  }, 60_000);
});
