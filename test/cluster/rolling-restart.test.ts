import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { openDatabase, type Database } from '../../src/storage/index.js';
import { POSTGRES_URL, uniqueSchema } from '../storage/storage-targets.js';
import { adminKey, eventually } from './cluster-harness.js';
import { HttpBalancer } from './http-balancer.js';
import { killAll, startNodeProcess, type NodeProcess } from './node-process.js';
import { deletePrefix, REDIS_URL, redisClient, uniquePrefix } from './redis-fixtures.js';

const STREAMS = 200;
/** 16 pieces 250 ms apart: each stream stays open about 4 s. */
const WORDS = Array.from({ length: 16 }, (_, i) => `w${i} `);
const CONTENT = WORDS.join('');
const schema = uniqueSchema('rolling');
const storageUrl = `${POSTGRES_URL}?schema=${schema}`;
const prefix = uniquePrefix('rolling');
let simulator: Simulator;
let dir: string;
let database: Database;
const nodes: NodeProcess[] = [];

const yaml = (name: string) => `server: { port: 0, shutdownDelayMs: 3000, drainMs: 20000 }
storage: { url: "${storageUrl}" }
requestLog: { flushIntervalMs: 50 }
admin: { key: ${adminKey} }
redis: { url: "${REDIS_URL}" }
cluster: { nodeId: ${name}, keyPrefix: ${prefix}, heartbeatMs: 200, leaseTtlMs: 3000 }
providers:
  - id: deepseek
    preset: deepseek
    baseUrl: ${simulator.baseUrlFor('deepseek')}
    apiKey: sk-simulated-deepseek
    timeouts: { connectMs: 10000, firstByteMs: 20000, idleMs: 20000 }
models:
  - { id: deepseek-flash, provider: deepseek }
`;

interface StreamResult {
  status: number;
  backend: string | null;
  requestId: string | null;
  content: string;
  done: boolean;
  startedAt: number;
  error?: string;
}

/** One streamed chat completion through the balancer, read to its end. */
async function stream(url: string, key: string, n: number): Promise<StreamResult> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-flash', stream: true, max_tokens: 64, messages: [{ role: 'user', content: `stream ${n}` }] }),
    });
    const text = await response.text();
    if (response.status !== 200) return { status: response.status, backend: response.headers.get('x-balancer-backend'), requestId: null, content: '', done: false, startedAt, error: text.slice(0, 200) };
    let content = '';
    let done = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ')) continue;
      if (line === 'data: [DONE]') done = true;
      else content += (JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '';
    }
    return { status: response.status, backend: response.headers.get('x-balancer-backend'), requestId: response.headers.get('x-tidegate-request-id'), content, done, startedAt };
  } catch (error) {
    return { status: 0, backend: null, requestId: null, content: '', done: false, startedAt, error: String(error) };
  }
}

beforeAll(async () => {
  simulator = await startSimulator({ tokenDelayMs: 250 });
  simulator.script('deepseek', Array.from({ length: 6_000 }, () => ({ kind: 'ok' as const, content: CONTENT })));
  dir = mkdtempSync(join(tmpdir(), 'tidegate-rolling-'));
  nodes.push(await startNodeProcess(dir, 'a1', yaml('a1'))); // migrates the schema alone
  nodes.push(await startNodeProcess(dir, 'b1', yaml('b1')));
  database = await openDatabase(storageUrl);
}, 60_000);

afterAll(async () => {
  await killAll(nodes);
  await database?.close();
  const admin = await openDatabase(POSTGRES_URL);
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db).finally(() => admin.close());
  await deletePrefix(prefix);
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a rolling restart of two nodes behind a round-robin balancer', () => {
  it(`with ${STREAMS} streams kept open, cuts none: each node fails readiness first, drains, settles its holds and flushes its log`, async () => {
    const created = await fetch(`${nodes[0]!.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name: 'rolling', daily_budget_cny: '1000' }) });
    const { id: keyId, key } = (await created.json()) as { id: string; key: string };
    const balancer = new HttpBalancer(100);
    await balancer.start();
    for (const node of nodes) balancer.add(node.name, node.url);
    await balancer.until(() => balancer.backends.every((backend) => backend.ready));

    // STREAMS clients, each opening a new stream as soon as its last one ended, until the restart is over.
    const results: StreamResult[] = [];
    let stop = false;
    let counter = 0;
    // Each node answers once first (tokenizers loaded, key cached); then the clients start 10 ms apart.
    const warmups: StreamResult[] = [];
    for (const node of nodes) warmups.push(await stream(node.url, key, -1));
    expect(warmups.map((result) => result.status)).toEqual([200, 200]);
    const clients = Array.from({ length: STREAMS }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 10));
      while (!stop) results.push(await stream(balancer.url, key, counter++));
    });
    await eventually(async () => simulator.requests.length >= STREAMS, 20_000);

    const windows: Array<{ node: string; termAt: number; notReadyAt: number; backAt: number }> = [];
    for (const [old, fresh] of [['a1', 'a2'], ['b1', 'b2']] as const) {
      const node = nodes.find((candidate) => candidate.name === old)!;
      const backend = balancer.backend(old)!;
      const openOnNode = balancer.routed.filter((entry) => entry.backend === old).length - results.filter((result) => result.backend === old).length;
      node.child.kill('SIGTERM');
      const termAt = Date.now();
      await balancer.until(() => !backend.ready, 5_000);
      expect(await node.exited).toBe(0); // drained, flushed and released within the drain deadline
      balancer.remove(old);
      const next = await startNodeProcess(dir, fresh, yaml(fresh));
      nodes.push(next);
      balancer.add(fresh, next.url);
      await balancer.until(() => balancer.backend(fresh)!.ready, 30_000);
      windows.push({ node: old, termAt, notReadyAt: backend.notReadySince!, backAt: Date.now() });
      console.log(`${old}: SIGTERM with about ${openOnNode} streams open on it; readiness failed after ${backend.notReadySince! - termAt} ms; exited 0; ${fresh} ready ${Date.now() - termAt} ms after SIGTERM`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await Promise.all(clients);

    // No stream was cut: every client got status 200, the whole answer and [DONE].
    const failed = results.filter((result) => !(result.status === 200 && result.done && result.content === CONTENT));
    if (failed.length > 0) console.log({ failed: failed.length, first: failed[0], windows, flips: balancer.flips });
    expect(failed.slice(0, 3)).toEqual([]);
    expect(results.length).toBeGreaterThan(2 * STREAMS);

    // New requests while a node was out (from its readiness failing until its replacement was ready) all went to the other node.
    for (const window of windows) {
      const during = balancer.routed.filter((entry) => entry.at > window.notReadyAt && entry.at < window.backAt);
      expect(during.length).toBeGreaterThan(0);
      expect(during.filter((entry) => entry.backend === window.node)).toEqual([]);
      const lateArrivals = balancer.routed.filter((entry) => entry.backend === window.node && entry.at >= window.termAt).length;
      console.log(`while ${window.node} was out: ${during.length} new requests, all served by the other node; ${lateArrivals} arrived at ${window.node} after SIGTERM, before the balancer saw its readiness fail, and were served`);
    }

    // The ledger has exactly one row per request, and the shared budget's holds all settled to what the ledger says.
    const ids = [...warmups, ...results].map((result) => result.requestId!).sort();
    expect(new Set(ids).size).toBe(ids.length);
    let ledger: Array<{ id: string; cost_nano_cny: string }> = [];
    await eventually(async () => {
      ledger = (await sql<{ id: string; cost_nano_cny: string }>`select id, cost_nano_cny from request_log where api_key_id = ${keyId}`.execute(database.db)).rows;
      return ledger.length >= ids.length;
    }, 10_000);
    expect(ledger.map((row) => row.id).sort()).toEqual(ids);
    const redis = redisClient();
    try {
      const stateKey = `{${prefix}}:budget:key:${keyId}:state`;
      const settled = await eventually(async () => Number(await redis.hget(stateKey, 'held')) === 0, 5_000);
      if (!settled) console.log({ state: await redis.hgetall(stateKey), holds: await redis.zrange(`{${prefix}}:budget:key:${keyId}:holds`, 0, 4, 'WITHSCORES'), ledgerRows: ledger.length });
      expect(settled).toBe(true);
      expect(await redis.zcard(`{${prefix}}:budget:key:${keyId}:holds`)).toBe(0);
      expect(Number(await redis.hget(stateKey, 'sd'))).toBe(ledger.reduce((sum, row) => sum + Number(row.cost_nano_cny), 0));
    } finally {
      redis.disconnect();
    }
    console.log(`${results.length} streams over the rolling restart: 0 cut, ${ledger.length} ledger rows, 0 held in Redis`);
    await balancer.close();
  }, 120_000);
});
