import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LearnedRouter } from '../../src/routing/router-service.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

// A stand-in router with known behaviour, so the gateway side is tested on its own: prompts that ask
// for a proof score high. (The shipped, trained router is tested in test/router.)
const stubRouter: LearnedRouter = {
  version: 'stub-1',
  score: (messages) => (JSON.stringify(messages.at(-1)?.content ?? '').includes('prove') ? 0.9 : 0.1),
  thresholdForTarget: (target) => (target >= 0.99 ? { threshold: 0.05, expectedFlagshipShare: 0.97, expectedQualityKept: 0.99 } : { threshold: 0.5, expectedFlagshipShare: 0.3, expectedQualityKept: 0.95 }),
};

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-flash, provider: deepseek, vision: false }   # this deployment takes text only
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: qwen-vl-max, provider: qwen }
routes:
  - id: auto
    light: [deepseek-flash]
    flagship: [deepseek-v4-pro, qwen-vl-max]
    qualityTarget: 0.95
    scenarios: { research: { qualityTarget: 0.99 } }
`, { router: stubRouter });
});
afterAll(async () => stack?.close());

const ask = (content: unknown, headers: Record<string, string> = {}) =>
  stack.openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: content as string }] }, { headers }).withResponse();

describe('model: auto', () => {
  it('sends an easy request to the light model and says why', async () => {
    const { response } = await ask('What is the capital of France?');
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
    expect(response.headers.get('x-tidegate-route-reason')).toBe('auto: router stub-1 score 0.100 < threshold 0.500 for 95% target -> light');
  });

  it('sends a hard request to the flagship', async () => {
    const { response } = await ask('Please prove that there are infinitely many primes.');
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-v4-pro');
    expect(response.headers.get('x-tidegate-route-reason')).toContain('-> flagship');
  });

  it('a scenario with a stricter quality target sends the same easy request to the flagship', async () => {
    const { response } = await ask('What is the capital of France?', { 'x-tidegate-scenario': 'research' });
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-v4-pro');
    expect(response.headers.get('x-tidegate-route-reason')).toContain('99% target (scenario research)');
  });

  it('images go to a model that accepts them', async () => {
    const { response } = await ask([{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }]);
    expect(response.headers.get('x-tidegate-model')).toBe('qwen-vl-max');
  });

  it('records the decision, the tier and the savings against the route\'s flagship', async () => {
    const { response } = await ask('Name three colours.');
    const id = response.headers.get('x-tidegate-request-id');
    await new Promise((resolve) => setTimeout(resolve, 60));
    const rows = (await raw(stack, '/admin/requests?limit=50')).json.data as Array<Record<string, any>>;
    const row = rows.find((candidate) => candidate.id === id)!;
    expect(row).toMatchObject({ modelRequested: 'auto', modelServed: 'deepseek-flash', tier: 'light', flagshipModel: 'deepseek-v4-pro' });
    expect(row.routeReason).toContain('-> light');
    expect(row.flagshipCostNanoCny).toBeGreaterThan(row.costNanoCny);
  });

  it('lists the route among the models and reports its calibration and expected savings', async () => {
    const models = await stack.openai.models.list();
    expect(models.data.map((entry) => entry.id)).toContain('auto');
    const routes = await raw(stack, '/admin/routes');
    expect(routes.json.data[0]).toMatchObject({
      id: 'auto', router: 'stub-1', quality_target: 0.95, threshold: 0.5, expected_flagship_share: 0.3, expected_quality_kept: 0.95,
      scenarios: { research: { quality_target: 0.99, expected_flagship_share: 0.97 } },
    });
    // deepseek-flash is far cheaper than deepseek-v4-pro, so 30% flagship calls save well over half.
    expect(routes.json.data[0].expected_savings_vs_flagship).toBeGreaterThan(0.5);
  });
});
