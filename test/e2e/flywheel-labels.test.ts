import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseLabels } from '../../src/router/labels.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

/** Router labels from captured traffic: capture, feedback, `dataset labels`, and `router train --from-feedback` reads them. */
const PHONE = '13812345678';
let stack: Stack;
let client: OpenAI;
let configFile: string;

const flywheel = `
capture:
  scenarios: [support]
  flushIntervalMs: 10
metrics:
  resolved: { type: boolean, optimize: max }
scenarios:
  support: { quality: { metric: resolved, target: 0.9 } }
`;

beforeAll(async () => {
  stack = await startStack((simulator) => `${flywheel}
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
`, { router: null });
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
  configFile = join(stack.dir, 'tidegate.yaml');
  writeFileSync(configFile, `storage: { url: "sqlite:${join(stack.dir, 'tidegate.db')}" }\n${flywheel}\nproviders: [{ id: deepseek, preset: deepseek, apiKey: sk-x }]\nmodels: [{ id: deepseek-flash, provider: deepseek, tier: light }, { id: deepseek-v4-pro, provider: deepseek, tier: flagship }]\n`);
});
afterAll(async () => stack?.close());

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

async function ask(content: string, model: string): Promise<string> {
  const { response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }, { headers: { 'x-tidegate-scenario': 'support' } }).withResponse();
  return response.headers.get('x-tidegate-request-id')!;
}
const resolved = (id: string, value: boolean) => client.post('/feedback', { body: { inference_id: id, metric: 'resolved', value } });

describe('router labels from the flywheel', () => {
  it('exports masked labels from feedback that router train --from-feedback reads', async () => {
    const lightGood = await ask('怎么退货？', 'deepseek-flash');
    const lightBad = await ask(`帮我查手机 ${PHONE} 的三笔订单的合计运费`, 'deepseek-flash');
    const flagshipGood = await ask('合同第七条和第九条冲突吗？', 'deepseek-v4-pro');
    const flagshipBad = await ask('证明黎曼猜想', 'deepseek-v4-pro');
    const unscored = await ask('你好', 'deepseek-flash');
    await resolved(lightGood, true);
    await resolved(lightBad, false);
    await resolved(flagshipGood, true);
    await resolved(flagshipBad, false);
    await stack.gateway.services.flywheel!.writer.flush();

    const path = join(stack.dir, 'labels.jsonl');
    const exported = await cli(['dataset', 'labels', '--scenario', 'support', '--output', path, '--json', '--config', configFile]);
    expect(exported.code, exported.stderr).toBe(0);
    const report = JSON.parse(exported.stdout);
    expect(report).toMatchObject({ candidates: 5, written: 4, cases: { light_good: 1, light_bad: 1, flagship_good: 1, flagship_bad: 1, shadow: 0 }, skipped: { 'no resolved feedback': 1 } });
    // one good and one bad answer per tier, plus one of each as pseudo-counts: (1 + 1) / (2 + 2)
    expect(report.rates).toEqual({ support: { light: 0.5, flagship: 0.5 } });

    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(PHONE);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line));
    const byId = new Map(lines.map((line) => [line.id, line]));
    expect(byId.has(unscored)).toBe(false);
    expect(byId.get(lightGood)).toEqual({ id: lightGood, messages: [{ role: 'user', content: '怎么退货？' }], flagship_score: 1, light_score: 1, weight: 0.5 });
    expect(byId.get(lightBad)).toMatchObject({ messages: [{ role: 'user', content: '帮我查手机 [PHONE] 的三笔订单的合计运费' }], flagship_score: 0.5, light_score: 0 });
    expect(byId.get(flagshipGood)).toMatchObject({ flagship_score: 1, light_score: 0.5 });
    expect(byId.get(flagshipBad)).toMatchObject({ flagship_score: 0, light_score: 0 });
    expect(parseLabels(text, path)).toHaveLength(4);

    // The router reads the file; with four labels it declines to train a candidate, and says why.
    const trained = await cli(['router', 'train', '--from-feedback', '--labels', path, '--out', join(stack.dir, 'router.json'), '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toContain('4 gateway labels');
    const decision = JSON.parse(trained.stdout);
    expect(decision).toMatchObject({ promoted: false, candidate: null });
    expect(decision.reason).toMatch(/replay labels/);

    const human = await cli(['dataset', 'labels', '--scenario', 'support', '--output', path, '--config', configFile]);
    expect(human.stdout).toContain(`Wrote 4 router labels to ${path} (from 5 captured inferences)`);
    const noOutput = await cli(['dataset', 'labels', '--config', configFile]);
    expect([noOutput.code, noOutput.stderr]).toEqual([2, 'tidegate dataset: labels needs --output FILE.jsonl\n']);
    // No --metric or --scenario: the one boolean metric the config declares (resolved) is the one used.
    const soleMetric = await cli(['dataset', 'labels', '--output', path, '--config', configFile]);
    expect(soleMetric.stdout).toContain(`Wrote 4 router labels to ${path} (from 5 captured inferences)`);
  });
});
