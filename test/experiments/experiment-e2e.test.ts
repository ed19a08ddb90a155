import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentCommand } from '../../src/cli/experiment-command.js';
import { loadConfig } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { rng } from '../../src/router/rng.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ExperimentStatus } from '../../src/experiments/experiment-status.js';
import { simulatedProvider } from '../e2e/harness.js';

/*
 * Two model variants on one scenario, feedback posted per answer with a biased reward (the flagship is accepted
 * 90% of the time, the light model 45%): the experiment converges, names the better arm, then sends it every
 * request; a restart in the middle keeps every count.
 */

let simulator: Simulator;
let gateway: RunningGateway;
let dir: string;
let configFile: string;
const random = rng(2026);
const ACCEPTANCE: Record<string, number> = { 'deepseek-v4-pro': 0.9, 'deepseek-flash': 0.45 };

beforeAll(async () => {
  simulator = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), 'tidegate-experiments-'));
  configFile = join(dir, 'tidegate.yaml');
  writeFileSync(configFile, `server: { port: 0 }
requestLog: { flushIntervalMs: 10 }
storage: { url: "sqlite:${join(dir, 'tidegate.db')}" }
capture:
  scenarios: [grading]
  flushIntervalMs: 10
metrics:
  accepted: { type: boolean, optimize: max }
scenarios:
  grading: { quality: { metric: accepted, target: 0.8 } }
experiments:
  - name: grader
    scenario: grading
    arms:
      - { name: flash, model: deepseek-flash }
      - { name: pro, model: deepseek-v4-pro }
    goal: best-arm
    confidence: 0.95
    minSamplesPerArm: 10
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
`);
  gateway = await start();
});

afterAll(async () => {
  await gateway?.close();
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

const start = () => startGateway(loadConfig({ file: configFile }), { logger: silentLogger, cwd: dir, router: null });
const client = () => new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'unused-in-open-mode', maxRetries: 0 });

async function ask(headers: Record<string, string> = {}) {
  const { response } = await client().chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'Grade this essay out of 100.' }] }, { headers: { 'x-tidegate-scenario': 'grading', ...headers } }).withResponse();
  return { id: response.headers.get('x-tidegate-request-id')!, model: response.headers.get('x-tidegate-model')!, experiment: response.headers.get('x-tidegate-experiment'), reason: decodeURI(response.headers.get('x-tidegate-route-reason') ?? '') };
}

async function feedback(inferenceId: string, value: boolean) {
  const response = await fetch(`${gateway.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inference_id: inferenceId, metric: 'accepted', value }) });
  expect(response.status).toBe(200);
}

/** One request in the scenario, then the user's verdict on its answer. */
async function step() {
  const answer = await ask();
  await feedback(answer.id, random() < ACCEPTANCE[answer.model]!);
  return answer;
}

async function status(): Promise<ExperimentStatus> {
  const response = await fetch(`${gateway.url}/admin/experiments`);
  const body = (await response.json()) as { data: ExperimentStatus[] };
  return body.data[0]!;
}

async function cli(args: string[]): Promise<string> {
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  try {
    expect(await experimentCommand([...args, '--config', configFile])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return stdout;
}

describe('a live experiment between two models', () => {
  it('assigns arms in the nursery, says so in a header, and keeps an episode on one arm', async () => {
    const first = await step();
    expect(first.experiment).toMatch(/^grader\/(flash|pro)$/);
    expect(first.model).toBe(first.experiment === 'grader/pro' ? 'deepseek-v4-pro' : 'deepseek-flash');
    expect(first.reason).toContain('experiment grader/');
    const episode = uuidv7();
    const calls = [await ask({ 'x-tidegate-episode-id': episode }), await ask({ 'x-tidegate-episode-id': episode }), await ask({ 'x-tidegate-episode-id': episode })];
    expect(new Set(calls.map((call) => call.experiment)).size).toBe(1);
    for (let i = 0; i < 17; i += 1) await step();
    const before = await status();
    expect(before.phase).toBe('nursery');
    expect(before.outcomes).toBe(18);
    expect(before.arms.reduce((sum, arm) => sum + arm.requests, 0)).toBe(21);
    // Outside the scenario nothing changes.
    const { response } = await client().chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-tidegate-experiment')).toBeNull();
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
  });

  it('keeps every count across a restart', async () => {
    const before = await status();
    await gateway.close();
    gateway = await start();
    const after = await status();
    expect(after.outcomes).toBe(before.outcomes);
    expect(after.arms.map((arm) => [arm.name, arm.requests, arm.outcomes, arm.mean_reward])).toEqual(before.arms.map((arm) => [arm.name, arm.requests, arm.outcomes, arm.mean_reward]));
  });

  it('converges on the better arm, records it with its confidence, then sends it all the traffic', async () => {
    let current = await status();
    let requests = 0;
    while (current.phase !== 'stopped' && requests < 600) {
      await step();
      requests += 1;
      if (requests % 5 === 0) current = await status();
    }
    current = await status();
    expect(current.phase).toBe('stopped');
    expect(current.winner).toBe('pro');
    expect(current.serving_arm).toBe('pro');
    expect(current.confidence).toBe(0.95);
    expect(current.glr).toBeGreaterThan(current.glr_threshold);
    const pro = current.arms.find((arm) => arm.name === 'pro')!;
    const flash = current.arms.find((arm) => arm.name === 'flash')!;
    expect(pro.mean_reward!).toBeGreaterThan(flash.mean_reward!);
    expect(pro.share).toBe(1);
    const after = await Promise.all(Array.from({ length: 10 }, () => ask()));
    expect(after.every((call) => call.model === 'deepseek-v4-pro' && call.experiment === 'grader/pro')).toBe(true);
    expect(after[0]!.reason).toContain('stopped, winner');
    // A restart keeps the decision.
    await gateway.close();
    gateway = await start();
    expect((await ask()).experiment).toBe('grader/pro');
    expect(current.decided_after).toBeLessThanOrEqual(current.outcomes);
    console.info(`decided after ${current.decided_after} outcomes; gateway status: ${JSON.stringify(current)}`);
  });

  it('tidegate experiment status shows the same, as a table and as JSON', async () => {
    const table = await cli(['status']);
    expect(table).toContain('grader (scenario grading; metric accepted; incumbent flash)');
    expect(table).toMatch(/stopped after \d+ outcomes: pro wins at 95% confidence/);
    expect(table).toMatch(/pro\s+deepseek-v4-pro\s+\d+\s+\d+\s+0\.\d{3}\s+100\.0%/);
    const json = JSON.parse(await cli(['status', '--json'])) as { experiments: ExperimentStatus[] };
    expect(json.experiments[0]!.winner).toBe('pro');
    expect(json.experiments[0]!.outcomes).toBe((await status()).outcomes);
    console.info(`tidegate experiment status:\n${table}`);
  });
});
