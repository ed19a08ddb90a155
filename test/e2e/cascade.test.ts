import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LearnedRouter } from '../../src/routing/router-service.js';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

const alwaysLight: LearnedRouter = {
  version: 'light-1',
  score: () => 0,
  thresholdForTarget: () => ({ threshold: 0.5, expectedFlagshipShare: 0, expectedQualityKept: 0.95 }),
};

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}${simulatedProvider(simulator, 'glm')}
models:
  - { id: deepseek-flash, provider: deepseek }
  - { id: qwen-max, provider: qwen }
  - { id: glm-4-flash, provider: glm }
routes:
  - { id: careful, light: [deepseek-flash], flagship: [qwen-max], cascade: { enabled: true, verifier: self-consistency, samples: 2 } }
  - { id: judged, light: [deepseek-flash], flagship: [qwen-max], cascade: { enabled: true, verifier: judge, judge: glm-4-flash } }
  - { id: checked, light: [deepseek-flash], flagship: [qwen-max], cascade: { enabled: true, verifier: arithmetic } }
`, { router: alwaysLight });
});
afterAll(async () => stack?.close());
beforeEach(() => stack.simulator.reset());

const question = [{ role: 'user' as const, content: 'What is 6 × 7?' }];
const ask = (model: string) => stack.openai.chat.completions.create({ model, messages: question }).withResponse();
const askStreamed = (model: string) => stack.openai.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: question });

describe('cascade', () => {
  it('accepts the light answer when two light samples agree', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: 'It is 42.' }, { kind: 'ok', content: '6 × 7 = 42' }]);
    const { data, response } = await ask('careful');
    expect(data.choices[0]?.message.content).toBe('It is 42.');
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
    expect(response.headers.get('x-tidegate-route-reason')).toContain('cascade: 2 light samples agree -> accepted');
    expect(stack.simulator.requests.filter((request) => request.preset === 'qwen')).toHaveLength(0);
  });

  it('escalates when the samples disagree, streams only the flagship answer, and bills every call', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: 'It is 42.' }, { kind: 'ok', content: 'It is 48.' }]);
    const stream = await askStreamed('careful');
    let text = '';
    let usage: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = (chunk.usage as any) ?? usage;
    }
    expect(text).toBe('Simulated qwen answer to: What is 6 × 7?');
    expect(text).not.toContain('42');
    // The flagship's own tokens are the usage; the cost also carries the two light samples.
    const flagshipOnly = await stack.openai.chat.completions.create({ model: 'qwen-max', messages: [{ role: 'user', content: 'What is 6 × 7?' }] });
    expect(parseCnyToNano(usage.cost_cny)).toBeGreaterThan(parseCnyToNano((flagshipOnly.usage as any).cost_cny));
  });

  it('a streaming client gets the accepted light answer as a normal stream', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: 'Forty-two: 42' }, { kind: 'ok', content: '42' }]);
    const stream = await askStreamed('careful');
    let text = '';
    let last: any;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk as any;
    }
    expect(text).toBe('Forty-two: 42');
    expect(last.usage.cost_cny).toMatch(/^\d/);
  });

  it('a judge that says NO escalates; one that says YES accepts', async () => {
    stack.simulator.script('glm', [{ kind: 'ok', content: 'NO' }]);
    const { response: doubted } = await ask('judged');
    expect(doubted.headers.get('x-tidegate-model')).toBe('qwen-max');
    expect(doubted.headers.get('x-tidegate-route-reason')).toContain('judge glm-4-flash doubted the light answer -> escalated to flagship');
    stack.simulator.script('glm', [{ kind: 'ok', content: 'YES' }]);
    const { response: accepted } = await ask('judged');
    expect(accepted.headers.get('x-tidegate-model')).toBe('deepseek-flash');
  });

  it('the arithmetic verifier escalates a worked answer whose sums are wrong, without an extra call', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: '6 * 7 = 48, so the answer is 48.' }, { kind: 'ok', content: '6 * 7 = 42, so the answer is 42.' }]);
    const { response: wrong } = await ask('checked');
    expect(wrong.headers.get('x-tidegate-model')).toBe('qwen-max');
    expect(wrong.headers.get('x-tidegate-route-reason')).toContain('"6 * 7 = 48" does not add up -> escalated');
    const { data, response: right } = await ask('checked');
    expect(right.headers.get('x-tidegate-model')).toBe('deepseek-flash');
    expect(data.choices[0]?.message.content).toBe('6 * 7 = 42, so the answer is 42.');
    expect(stack.simulator.requests.filter((request) => request.preset === 'deepseek')).toHaveLength(2);
  });
});
