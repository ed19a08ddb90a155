import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI, run as a user would (npm test builds it first): argument handling, help and exit statuses.
const bin = resolve(__dirname, '../../bin/tidegate.js');
let dir: string;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/API_KEY|_BASE_URL|TIDEGATE_|API_PASSWORD/.test(name)));

/** Not spawnSync: the fake gateway below runs in this process, and a blocked worker times out vitest's RPC. */
function run(args: string[], options: { cwd?: string; input?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? dir, env: cleanEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** A stand-in gateway: chat answers "1" from model "good" and "0" from any other; one finished batch. */
const requests: Array<{ url: string; authorization: string | undefined; body: Record<string, unknown> }> = [];
let gateway: Server;
let url: string;

async function answer(request: IncomingMessage): Promise<{ status: number; body: string }> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  const body = text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {};
  requests.push({ url: request.url ?? '', authorization: request.headers.authorization, body });
  if (request.url === '/v1/chat/completions') {
    return { status: 200, body: JSON.stringify({ choices: [{ message: { role: 'assistant', content: body.model === 'good' ? '1' : '0' } }] }) };
  }
  if (request.url === '/v1/batches/batch_1') {
    return { status: 200, body: JSON.stringify({ id: 'batch_1', status: 'completed', output_file_id: 'file_out', error_file_id: null, expires_at: 0, request_counts: { total: 2, completed: 2, failed: 0 } }) };
  }
  if (request.url === '/v1/files/file_out/content') return { status: 200, body: '{"custom_id":"a"}\n{"custom_id":"b"}\n' };
  return { status: 404, body: '{}' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-cli-args-'));
  writeFileSync(join(dir, 'good.yaml'), `storage: { url: "sqlite:${join(dir, 'cli.db')}" }\n`);
  writeFileSync(join(dir, 'bad.yaml'), 'bogus: 1\n');
  gateway = createServer((request, response) => {
    void answer(request).then(({ status, body }) => response.writeHead(status, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((listening) => gateway.listen(0, '127.0.0.1', listening));
  url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((closed) => gateway.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

describe('--help on every command', () => {
  const commands = [
    ['serve'], ['cost'], ['usage'], ['limits'], ['purge'], ['demo'], ['router', 'train'], ['router', 'eval'], ['router', 'score'],
    ['experiment', 'status'], ['keys', 'create'], ['keys', 'list'], ['keys'], ['teams'], ['batch', 'submit'], ['dataset'],
    ['dataset', 'build', 'x'], ['dataset', 'labels'], ['dataset', 'export', 'x'], ['config', 'check'], ['migrate'], ['eval', 'run'],
  ];
  it.each(commands)('%s … --help prints its usage, exit 0, and opens no database', async (...command) => {
    const cwd = mkdtempSync(join(tmpdir(), 'tidegate-help-'));
    try {
      for (const flag of ['--help', '-h']) {
        const { code, stdout, stderr } = await run([...command, flag], { cwd });
        expect(code, stderr).toBe(0);
        expect(stdout).toMatch(/usage/i);
        expect(stdout).toContain(command[0]);
      }
      expect(existsSync(join(cwd, '.tidegate'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('router --help shows the curve modes the code accepts; usage --help says --until includes its day', async () => {
    expect((await run(['router', '--help'])).stdout).toContain('--curve-mode task|joint|feedback');
    expect((await run(['usage', '--help'])).stdout).toMatch(/--until D\s+through the end of that day, which is included/);
  });
});

describe('argument checks', () => {
  it('router and demo accept --config (and ignore it)', async () => {
    const scored = await run(['router', 'score', '--config', 'good.yaml'], { input: '{"id":1,"prompt":"hi"}\n' });
    expect(scored.code, scored.stderr).toBe(0);
    expect(JSON.parse(scored.stdout)).toMatchObject({ id: 1, score: expect.any(Number) });
    expect((await run(['router', 'train', '--config', 'good.yaml', '--labels-weight', '0', '--out', join(dir, 'router.json')])).stderr).toContain('--labels-weight');
    const demo = await run(['demo', '--requests', '1', '--config', 'good.yaml', '--json']);
    expect(demo.code, demo.stderr).toBe(0);
  });

  it('cost refuses token counts that are not safe integers, exit 2', async () => {
    for (const count of ['99999999999999999999', '9007199254740993', '1e3', '-1']) {
      const { code, stderr, stdout } = await run(['cost', '--model', 'deepseek-v4-pro', `--input=${count}`]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--input must be a whole number of tokens from 0 to 9007199254740991, got ${count}`);
      expect(stdout).toBe('');
    }
    expect((await run(['cost', '--model', 'deepseek-v4-pro', '--output', '9007199254740992'])).code).toBe(2);
    expect((await run(['cost', '--model', 'deepseek-v4-pro', '--input', '9007199254740991'])).stderr).toContain('too large to price exactly');
  });

  it('usage prints the Beijing dates asked for, includes the --until day, and refuses bad or reversed dates', async () => {
    const table = await run(['usage', '--since', '2026-11-01', '--until', '2026-11-15', '--config', 'good.yaml']);
    expect(table.stdout).toContain('2026-11-01 to 2026-11-15 (Beijing time, last day included)');
    const json = JSON.parse((await run(['usage', '--since', '2026-11-01', '--until', '2026-11-15', '--config', 'good.yaml', '--json'])).stdout) as { since: string; until: string };
    expect(json).toMatchObject({ since: '2026-10-31T16:00:00.000Z', until: '2026-11-15T16:00:00.000Z' });
    const exact = JSON.parse((await run(['usage', '--until', '2026-11-15T12:00Z', '--since', '2026-11-15', '--config', 'good.yaml', '--json'])).stdout) as { until: string };
    expect(exact.until).toBe('2026-11-15T12:00:00.000Z');
    const refusals: Array<[string[], string]> = [
      [['--since', '2026-11-02', '--until', '2026-11-01'], '--since 2026-11-02 must come before --until 2026-11-01'],
      [['--since', '2026-13-01'], '--since takes a date'],
      [['--until', '2026-02-30'], '--until takes a date'],
    ];
    for (const [args, message] of refusals) {
      const { code, stderr } = await run(['usage', ...args, '--config', 'good.yaml']);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
    const dataset = await run(['dataset', 'labels', '--output', join(dir, 'labels.jsonl'), '--since', '2026-02-30', '--config', 'good.yaml']);
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain('--since takes a date');
    expect((await run(['dataset', 'build', 'x', '--since', '2026-11-03', '--until', '2026-11-01', '--config', 'good.yaml'])).stderr).toContain('must come before --until');
  });

  it('router eval validates --resamples like router train', async () => {
    for (const resamples of ['abc', '0']) {
      const { code, stderr } = await run(['router', 'eval', '--resamples', resamples]);
      expect(code).toBe(2);
      expect(stderr).toContain(`--resamples must be an integer of at least 100, got "${resamples}"`);
    }
  });

  it('router score skips a BOM, blank and # lines, and names the line of a bad one', async () => {
    const good = await run(['router', 'score'], { input: '\uFEFF{"id":"a","prompt":"hi"}\n\n# a comment\n{"id":"b","messages":[{"role":"user","content":"x"}]}\n' });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(['a', 'b']);
    const bad = await run(['router', 'score'], { input: '{"id":1,"prompt":"hi"}\n{bad\n' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/line 2: not valid JSON/);
    const empty = await run(['router', 'score'], { input: '# header\n{"messages":[]}\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('line 2: "messages" is empty');
  });

  it('config check checks every file given', async () => {
    const { code, stdout, stderr } = await run(['config', 'check', 'good.yaml', 'bad.yaml']);
    expect(code).toBe(1);
    expect(stdout).toContain('good.yaml: OK');
    expect(stderr).toContain('bad.yaml:1:1');
    const json = JSON.parse((await run(['config', 'check', 'good.yaml', 'bad.yaml', '--json'])).stdout) as { ok: boolean; files: Array<{ ok: boolean }> };
    expect(json.ok).toBe(false);
    expect(json.files.map((file) => file.ok)).toEqual([true, false]);
  });

  it('migrate --check on a missing SQLite file reports everything pending and creates nothing', async () => {
    const file = join(dir, 'fresh', 'never.db');
    writeFileSync(join(dir, 'fresh.yaml'), `storage: { url: "sqlite:${file}" }\n`);
    const { code, stdout } = await run(['migrate', '--check', '--config', 'fresh.yaml', '--json']);
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as { pending: string[] }).pending.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
  });
});

describe('keys', () => {
  it('refuses a second active key of the same name, and a name given twice', async () => {
    expect((await run(['keys', 'create', 'bot2', '--config', 'good.yaml'])).code).toBe(0);
    const again = await run(['keys', 'create', 'bot2', '--config', 'good.yaml']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already named "bot2"');
    const both = await run(['keys', 'create', 'bot9', '--name', 'other', '--config', 'good.yaml']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('update answers --json, and refuses an update that changes nothing', async () => {
    const key = JSON.parse((await run(['keys', 'create', 'json-bot', '--config', 'good.yaml', '--json'])).stdout) as { id: string };
    const updated = await run(['keys', 'update', key.id, '--rpm', '3', '--json', '--config', 'good.yaml']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual({ id: key.id, updated: true, limits: { rpm: 3 } });
    const nothing = await run(['keys', 'update', key.id, '--config', 'good.yaml']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to update');
  });
});

describe('clients of a running gateway', () => {
  it('batch names the URL it cannot reach, and takes --key as well as --api-key', async () => {
    const unreachable = await run(['batch', 'status', 'batch_1', '--url', 'http://127.0.0.1:1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach http://127.0.0.1:1');
    requests.length = 0;
    const status = await run(['batch', 'status', 'batch_1', '--url', url, '--key', 'tg-secret']);
    expect(status.code, status.stderr).toBe(0);
    expect(requests[0]?.authorization).toBe('Bearer tg-secret');
  });

  it('batch results --output F --json prints a summary of what it wrote', async () => {
    const output = join(dir, 'results.jsonl');
    const { code, stdout } = await run(['batch', 'results', 'batch_1', '--url', url, '--output', output, '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: 'batch_1', output, lines: 2 });
    expect(readFileSync(output, 'utf8')).toContain('"custom_id":"b"');
  });

  it('eval run refuses --priority deferrable before sending anything', async () => {
    writeFileSync(join(dir, 'ones.jsonl'), `${JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '1' }] })}\n`);
    requests.length = 0;
    const { code, stderr } = await run(['eval', 'run', '--dataset', 'ones.jsonl', '--model', 'good', '--evaluator', '{"kind":"exact"}', '--priority', 'deferrable', '--url', url]);
    expect(code).toBe(2);
    expect(stderr).toContain('--priority takes standard or interactive');
    expect(requests).toHaveLength(0);
  });

  it('eval run --stop-early --require-better: the printed verdict, comparison.promote and the exit status agree', async () => {
    const item = JSON.stringify({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: '1' }] });
    writeFileSync(join(dir, 'forty.jsonl'), `${Array.from({ length: 40 }, () => item).join('\n')}\n`);
    const args = ['eval', 'run', '--dataset', 'forty.jsonl', '--model', 'good', '--incumbent', 'bad', '--evaluator', '{"kind":"exact"}', '--stop-early', '--require-better', '--url', url];
    const json = await run([...args, '--json']);
    const summary = JSON.parse(json.stdout) as { items: number; comparison: { promote: boolean }; sequential: { verdict: string; pairs: number } };
    expect(summary.sequential.verdict).toBe('candidate_better');
    expect(summary.comparison.promote).toBe(true);
    expect(json.code).toBe(0);
    const text = await run(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^promote good: sequential test/m);
  });
});
