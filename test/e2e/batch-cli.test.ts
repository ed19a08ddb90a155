import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;
let configFile: string;

beforeAll(async () => {
  stack = await startStack((simulator) => `
scheduling: { pollIntervalMs: 20 }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen }
`);
  configFile = join(stack.dir, 'cli.yaml');
  writeFileSync(configFile, `storage: { url: "sqlite:${join(stack.dir, 'tidegate.db')}" }\nproviders:${simulatedProvider(stack.simulator, 'qwen')}\n`);
});
afterAll(async () => stack?.close());

/** Runs the CLI in-process, capturing what it writes. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('tidegate batch and usage --scheduling', () => {
  it('submit --wait shows progress to the end, results prints the output JSONL, usage --scheduling reports the deferred work', async () => {
    const input = join(stack.dir, 'input.jsonl');
    writeFileSync(input, Array.from({ length: 20 }, (_, i) => JSON.stringify({ custom_id: `r${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'qwen-plus', messages: [{ role: 'user', content: `q${i}` }] } })).join('\n'));
    const submitted = await cli(['batch', 'submit', input, '--url', stack.gateway.url, '--wait']);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toMatch(/^batch_\w+: completed, 20 completed, 0 failed of 20/);
    expect(submitted.stderr).toContain('20/20');
    const id = submitted.stdout.split(':')[0]!;

    const results = await cli(['batch', 'results', id, '--url', stack.gateway.url]);
    expect(results.code).toBe(0);
    expect(results.stdout.trim().split('\n').map((line) => JSON.parse(line).custom_id).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`).sort());
    expect((await cli(['batch', 'results', id, '--url', stack.gateway.url, '--errors'])).code).toBe(1);

    const report = await cli(['usage', '--scheduling', '--config', configFile, '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).deferred).toMatchObject({ jobs: 20, succeeded: 20, deadline_misses: 0 });
    const table = await cli(['usage', '--scheduling', '--config', configFile]);
    expect(table.stdout).toContain('deferred jobs');
  });

  it('keys create --max-priority caps a key; an invalid class is refused', async () => {
    const created = await cli(['keys', 'create', 'nightly', '--max-priority', 'deferrable', '--config', configFile, '--json']);
    expect(JSON.parse(created.stdout)).toMatchObject({ maxPriority: 'deferrable' });
    const refused = await cli(['keys', 'create', 'x', '--max-priority', 'urgent', '--config', configFile]);
    expect(refused.code).toBe(2); // an argument error, like every other one
    expect(refused.stderr).toMatch(/--max-priority takes interactive, standard or deferrable/);
  });
});
