import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { simulatedProvider, upstreamCallsPerLine } from './harness.js';

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

beforeAll(async () => {
  simulator = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'tidegate-crash-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const json = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<any>;

describe('durable batches', () => {
  it('kill -9 mid-batch: after restart every line has an outcome, none reached the provider twice, none is billed twice', async () => {
    const configFile = join(dir, 'tidegate.yaml');
    writeFileSync(configFile, `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'tidegate.db')}" }
requestLog: { flushIntervalMs: 10 }
scheduling: { pollIntervalMs: 20, runnerConcurrency: 4 }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen, limits: { concurrency: 8 } }
`);
    simulator.script('qwen', Array.from({ length: 400 }, () => ({ kind: 'delay' as const, ms: 15, then: { kind: 'ok' as const } })));
    const first = await startGatewayProcess(configFile);
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [{ role: 'user', content: `line ${i}` }] } }));
    const form = new FormData();
    form.set('purpose', 'batch');
    form.set('file', new Blob([lines.join('\n')]), 'in.jsonl');
    const file = await json(`${first.url}/v1/files`, { method: 'POST', body: form });
    const batch = await json(`${first.url}/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }) });
    for (;;) {
      const state = await json(`${first.url}/v1/batches/${batch.id}`);
      if (state.request_counts.completed >= 40) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startGatewayProcess(configFile);
    let done: any;
    for (;;) {
      done = await json(`${second.url}/v1/batches/${batch.id}`);
      if (done.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // A line whose call was in flight at the kill may have run at the provider: it is not sent again (no line
    // runs twice) and ends with a stable code; every other line is answered once.
    const failedLines = done.request_counts.failed as number;
    expect(done.request_counts.total).toBe(200);
    expect(done.request_counts.completed + failedLines).toBe(200);
    expect(failedLines).toBeLessThanOrEqual(4); // at most the runner's concurrency was in flight
    const output = (await (await fetch(`${second.url}/v1/files/${done.output_file_id}/content`)).text()).trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    const errors = failedLines === 0 ? [] : (await (await fetch(`${second.url}/v1/files/${done.error_file_id}/content`)).text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(output).toHaveLength(done.request_counts.completed);
    expect(errors).toHaveLength(failedLines);
    for (const line of errors) expect(line.response?.body?.error?.code ?? line.error?.code).toBe('interrupted_unknown_outcome');
    expect(new Set([...output, ...errors].map((line) => line.custom_id)).size).toBe(200);
    second.child.kill('SIGKILL');
    await new Promise((resolve) => second.child.once('exit', resolve));

    const perLine = upstreamCallsPerLine(simulator);
    expect(Math.max(...perLine.values())).toBe(1); // no line reached the provider twice
    for (const line of output) expect(perLine.get(Number(String(line.custom_id).slice(1)))).toBe(1); // every answer came from one call

    const database = await openDatabase(`sqlite:${join(dir, 'tidegate.db')}`);
    try {
      const billed = await database.db.selectFrom('request_log').select(['id', 'cost_nano_cny']).where('status', '=', 200).execute();
      expect(billed).toHaveLength(done.request_counts.completed); // one bill per answered line, none twice
      expect(new Set(billed.map((row) => row.id)).size).toBe(billed.length);
    } finally {
      await database.close();
    }
  }, 120_000);
});
