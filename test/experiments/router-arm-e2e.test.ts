import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedProvider, startStack, type Stack } from '../e2e/harness.js';
import { DEFAULT_ARTIFACT } from '../../src/router/paths.js';

/** A router version as an arm: requests on the route drawn for it are routed by that router, the others by the arm's model. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
capture: { routes: [auto] }
metrics:
  accepted: { type: boolean, optimize: max }
experiments:
  - name: routers
    route: auto
    metric: accepted
    arms:
      - { name: always-light, model: deepseek-flash }
      - { name: shipped-router, router: "${DEFAULT_ARTIFACT}" }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
routes:
  - { id: auto, light: [deepseek-flash], flagship: [deepseek-v4-pro] }
`, { router: null });
});
afterAll(async () => stack?.close());

describe('a router version as an experiment arm', () => {
  it('routes the arm\'s requests with its router, the other arm\'s with its model, and leaves other models alone', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 24 && seen.size < 2; i += 1) {
      const { response } = await stack.openai.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `What is ${i} + ${i}?` }] }).withResponse();
      seen.set(response.headers.get('x-tidegate-experiment')!, response.headers.get('x-tidegate-route-reason')!);
    }
    expect(seen.get('routers/always-light')).toMatch(/^experiment routers\/always-light \(share 0\.50\): requested model$/);
    // Without the experiment no router is loaded in this gateway ("no router loaded -> flagship"); the arm brings its own.
    expect(seen.get('routers/shipped-router')).toMatch(/^experiment routers\/shipped-router \(share 0\.50\): auto: router \S+ score [\d.]+ (>=|<) threshold/);
    const { response } = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(response.headers.get('x-tidegate-experiment')).toBeNull();
  });
});
