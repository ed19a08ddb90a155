import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { simulatedProvider } from './harness.js';

let simulator: Simulator;
let dir: string;
const children: ChildProcess[] = [];

function startGatewayProcess(configFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['node_modules/vite-node/vite-node.mjs', 'test/e2e/fixtures/gateway-process.ts', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /LISTENING (\S+)/.exec(seen);
      if (match) resolve({ child, url: match[1]! });
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
}

const kill = async (child: ChildProcess) => {
  child.kill('SIGKILL');
  if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
};

beforeAll(async () => {
  simulator = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'tidegate-provider-crash-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<any>;

describe('durable provider batches', () => {
  it('kill -9 while the provider runs the batch and again while its answers are being settled: one upstream batch, every line billed once', async () => {
    const configFile = join(dir, 'tidegate.yaml');
    writeFileSync(configFile, `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'tidegate.db')}" }
requestLog: { flushIntervalMs: 10 }
scheduling: { pollIntervalMs: 20, providerBatchPollMs: 20 }
providers:${simulatedProvider(simulator, 'qwen', '\n    batch: { mode: auto }')}
models:
  - { id: qwen-plus, provider: qwen }
`);
    simulator.batches.configure({ validatingMs: 50, inProgressMs: 1_500 });
    const total = 2_000;
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify({ custom_id: `p${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [{ role: 'user', content: `line ${i}` }] } }));
    const first = await startGatewayProcess(configFile);
    const form = new FormData();
    form.set('purpose', 'batch');
    form.set('file', new Blob([lines.join('\n')]), 'in.jsonl');
    const file = await json(`${first.url}/v1/files`, { method: 'POST', body: form });
    const batch = await json(`${first.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) });
    expect(batch.provider_batches).toEqual([expect.objectContaining({ provider: 'qwen', lines: total, id: expect.stringMatching(/^batch_/) })]);
    await kill(first.child); // the provider keeps running the batch

    // Second life: polls the stored upstream id; killed once some answers are settled but not all (watched in the store).
    const watcher = await openDatabase(`sqlite:${join(dir, 'tidegate.db')}`);
    const settled = async () => Number((await watcher.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'succeeded').executeTakeFirst())?.n ?? 0);
    const second = await startGatewayProcess(configFile);
    let killedAt = 0;
    try {
      while ((killedAt = await settled()) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      await kill(second.child);
      killedAt = await settled();
    } finally {
      await watcher.close();
    }

    const third = await startGatewayProcess(configFile);
    let done: any;
    for (;;) {
      done = await json(`${third.url}/v1/batches/${batch.id}`);
      if (done.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(done.request_counts).toEqual({ total, completed: total, failed: 0 });
    const output = (await (await fetch(`${third.url}/v1/files/${done.output_file_id}/content`)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(new Set(output.map((line) => line.custom_id)).size).toBe(total);
    await kill(third.child);

    expect(simulator.batches.batches).toHaveLength(1); // never submitted twice
    expect(simulator.requests.filter((request) => request.path.endsWith('/chat/completions'))).toHaveLength(0);
    const database = await openDatabase(`sqlite:${join(dir, 'tidegate.db')}`);
    try {
      const billed = await database.db.selectFrom('request_log').select(['id', 'tariff']).execute();
      const jobs = await database.db.selectFrom('jobs').select(['request_id', 'status']).execute();
      expect(billed).toHaveLength(total); // one bill per line, none twice, across two kills
      expect(new Set(billed.map((row) => row.tariff))).toEqual(new Set(['batch']));
      expect(new Set(billed.map((row) => row.id))).toEqual(new Set(jobs.map((job) => job.request_id)));
    } finally {
      await database.close();
    }
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(total); // the kill landed mid-settlement
  }, 120_000);
});
