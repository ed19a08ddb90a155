import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built CLI, run as a user would (npm test builds it first).
const bin = resolve(__dirname, '../../bin/tidegate.js');
let dir: string;
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/API_KEY|_BASE_URL|TIDEGATE_|API_PASSWORD/.test(name)));

function run(args: string[], options: { cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: options.cwd ?? dir, env: cleanEnv, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-cli-'));
  writeFileSync(join(dir, 'good.yaml'), `storage: { url: "sqlite:${join(dir, 'cli.db')}" }
providers:
  - { id: deepseek, preset: deepseek, apiKey: sk-x }
models:
  - { id: deepseek-v4-pro, provider: deepseek, fallbacks: [deepseek-flash] }
  - { id: deepseek-flash, provider: deepseek }
`);
  writeFileSync(join(dir, 'bad.yaml'), `providers:
  - { id: deepseek, preset: deepseek }
models:
  - id: deepseek-v4-pro
    provider: deepseek
    fallback: [qwen-max]
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tidegate CLI', () => {
  it('--help lists the commands', () => {
    const { code, stdout } = run(['--help']);
    expect(code).toBe(0);
    for (const command of ['serve', 'config check', 'keys create', 'cost', 'demo']) expect(stdout).toContain(command);
  });

  it('config check passes a good file and prints its models', () => {
    const { code, stdout } = run(['config', 'check', 'good.yaml']);
    expect(code).toBe(0);
    expect(stdout).toContain('OK');
    expect(stdout).toContain('deepseek-v4-pro');
  });

  it('config check names the line of an unknown key and suggests the right one', () => {
    const { code, stderr } = run(['config', 'check', 'bad.yaml']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/bad\.yaml:6:\d+: .*unknown key "fallback".*fallbacks/);
  });

  it('keys create, list and revoke, with the key shown once and stored hashed', () => {
    const created = run(['keys', 'create', 'team-a', '--config', 'good.yaml', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    expect(key.key).toMatch(/^tg-/);
    const listed = run(['keys', 'list', '--config', 'good.yaml', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: key.id, name: 'team-a', revokedAt: null })]);
    expect(listed.stdout).not.toContain(key.key);
    const table = run(['keys', 'list', '--config', 'good.yaml']);
    expect(table.stdout).toMatch(/id\s+name\s+prefix/);
    expect(run(['keys', 'revoke', key.id, '--config', 'good.yaml']).code).toBe(0);
    expect(run(['keys', 'revoke', key.id, '--config', 'good.yaml']).code).toBe(1);
  });

  it('keys carry budgets and teams; usage reports from the request log', () => {
    const created = run(['keys', 'create', '--name', 'budgeted', '--daily-budget', '5', '--monthly-budget', '100.5', '--rpm', '60', '--team', 'search', '--config', 'good.yaml', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string };
    expect(run(['keys', 'update', key.id, '--daily-budget', 'none', '--config', 'good.yaml']).code).toBe(0);
    const listed = JSON.parse(run(['keys', 'list', '--config', 'good.yaml', '--json']).stdout) as Array<Record<string, unknown>>;
    expect(listed.find((row) => row.id === key.id)).toMatchObject({ team: 'search', dailyBudgetNano: null, monthlyBudgetNano: 100_500_000_000, rpm: 60 });
    expect(run(['teams', 'set', 'search', '--daily-budget', '20', '--config', 'good.yaml']).code).toBe(0);
    expect(JSON.parse(run(['teams', 'list', '--config', 'good.yaml', '--json']).stdout)).toEqual([{ name: 'search', dailyBudgetNano: 20e9, monthlyBudgetNano: null, rpm: null }]);
    expect(run(['keys', 'create', '--name', 'x', '--daily-budget', 'lots', '--config', 'good.yaml']).stderr).toContain('--daily-budget');
    const usage = run(['usage', '--group', 'day', '--config', 'good.yaml']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/day\s+requests\s+errors/);
    expect(JSON.parse(run(['usage', '--json', '--config', 'good.yaml']).stdout)).toMatchObject({ group: 'model', total: { requests: 0 } });
  });

  it('cost prices a usage with the gateway\'s own pricing code', () => {
    // deepseek-v4-pro peak list price (a Monday at 10:00 Beijing): input 9, cache read 0.3, output 27 CNY per 1M tokens.
    const { code, stdout } = run(['cost', '--model', 'deepseek-v4-pro', '--input', '1000', '--cached', '400', '--output', '100', '--at', '2026-11-30T10:00', '--config', 'good.yaml', '--json']);
    expect(code).toBe(0);
    // 600 × 9 + 400 × 0.3 + 100 × 27 = 8,220 millionths of a yuan
    expect(JSON.parse(stdout)).toMatchObject({ cost_cny: '0.00822', priced: true, tariff: 'peak' });
  });

  it('refuses --cached larger than --input, exit 2 like other argument errors', () => {
    const { code, stderr } = run(['cost', '--model', 'deepseek-flash', '--input', '10', '--cached', '20', '--config', 'good.yaml']);
    expect(code).toBe(2);
    expect(stderr).toContain('--cached');
  });

  it('demo serves a mixed workload from simulated providers', () => {
    const { code, stdout } = run(['demo', '--requests', '8', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { simulated: boolean; requests: Array<{ status: number; model: string; served: string }> };
    expect(report.simulated).toBe(true);
    expect(report.requests).toHaveLength(8);
    expect(report.requests.every((row) => row.status === 200)).toBe(true);
    // Kimi is simulated out of balance, so its request falls back to deepseek-flash.
    expect(report.requests.find((row) => row.model === 'kimi-k2.5')?.served).toBe('deepseek-flash');
  });

  it('serve with no config and no keys runs open on loopback, says so, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--host', '0.0.0.0'], { cwd: dir, env: cleanEnv });
    let stderr = '';
    const url = await new Promise<string>((resolveUrl, reject) => {
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
        const match = /"url":"(http:[^"]+)"/.exec(stderr);
        if (match) resolveUrl(match[1]!);
      });
      child.once('exit', () => reject(new Error(stderr)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stderr).toContain('open');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: unknown[] };
    expect(models.data).toEqual([]);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect(code).toBe(0);
  });
});
