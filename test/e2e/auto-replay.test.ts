import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArtifact } from '../../src/router/model.js';
import { DEFAULT_ARTIFACT } from '../../src/router/paths.js';
import { ARTIFACT_VERSION, trainRouter } from '../../src/router/pipeline.js';
import type { RoutingRecord } from '../../src/router/datasets.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/**
 * model: auto with the shipped router, end to end: the artifact is rebuilt from the data in the repository
 * (it must come out identical), then a sample of the held-aside benchmark prompts the thresholds were
 * calibrated on is replayed through the gateway, and the share sent to the flagship is compared with the
 * share the route reports for its quality target.
 */
let stack: Stack;
let heldAside: RoutingRecord[] = [];
let rebuilt: ReturnType<typeof trainRouter>['artifact'];
const adminKey = 'admin-auto-replay';

beforeAll(async () => {
  const trained = trainRouter();
  rebuilt = trained.artifact;
  heldAside = trained.heldAside;
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
routes:
  - { id: auto, light: [deepseek-flash], flagship: [deepseek-v4-pro], qualityTarget: 0.95 }
`);
}, 120_000);
afterAll(async () => stack?.close());

describe('model: auto with the shipped router', () => {
  it('is reproduced exactly by tidegate router train from the data in the repository', () => {
    const shipped = readArtifact(DEFAULT_ARTIFACT);
    expect(rebuilt.weights).toEqual(shipped.weights);
    expect(rebuilt.calibration.points).toEqual(shipped.calibration.points);
    expect(JSON.parse(readFileSync(DEFAULT_ARTIFACT, 'utf8')).version).toBe(ARTIFACT_VERSION);
  });

  it('sends the calibrated share of a replayed benchmark to the flagship (within 5 points), and reports savings', async () => {
    const routes = await raw(stack, '/admin/routes', { headers: { authorization: `Bearer ${adminKey}` } });
    const route = (routes.json.data as Array<Record<string, any>>).find((entry) => entry.id === 'auto')!;
    const expected = route.expected_flagship_share as number;
    expect(expected).toBeGreaterThan(0.05);
    expect(expected).toBeLessThan(0.95);

    const client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: adminKey, maxRetries: 0 });
    const sample = heldAside; // every held-aside prompt
    let flagship = 0;
    const pending = [...sample];
    const worker = async () => {
      for (let record = pending.pop(); record; record = pending.pop()) {
        const { response } = await client.chat.completions.create({ model: 'auto', max_tokens: 16, messages: [{ role: 'user', content: record.prompt }] }).withResponse();
        const served = response.headers.get('x-tidegate-model');
        expect(response.headers.get('x-tidegate-route-reason')).toMatch(/^auto: router/);
        if (served === 'deepseek-v4-pro') flagship += 1;
        else expect(served).toBe('deepseek-flash');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const observed = flagship / sample.length;
    console.log(`model auto: flagship share ${(observed * 100).toFixed(1)}% of ${sample.length} replayed prompts; calibrated ${(expected * 100).toFixed(1)}%`);
    expect(Math.abs(observed - expected)).toBeLessThanOrEqual(0.05);

    await new Promise((resolve) => setTimeout(resolve, 100)); // the request log flushes every 10 ms here
    const usage = await raw(stack, '/admin/usage?group=tier', { headers: { authorization: `Bearer ${adminKey}` } });
    expect(Number(usage.json.total.savings_cny)).toBeGreaterThan(0);
    expect(usage.json.total.light_share).toBeCloseTo(1 - observed, 2);
  }, 120_000);
});
