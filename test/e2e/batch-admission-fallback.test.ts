import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/** Admission follows fallbacks: a call that falls back to another model holds a slot on that model, not on the first. */
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
scheduling: { standardMaxWaitMs: 300, interactiveMaxWaitMs: 300 }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: first, provider: deepseek, upstream: deepseek-flash, fallbacks: [backup], limits: { concurrency: 1 } }
  - { id: backup, provider: qwen, upstream: qwen-plus, limits: { concurrency: 1 } }
`);
});
afterAll(async () => stack?.close());

const chat = (model: string) =>
  raw(stack, '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello ${model}` }] }) });

describe('admission on fallback models', () => {
  it('a fallback takes a slot on its own model (its limit applies) and gives the first model its slot back', async () => {
    stack.simulator.script('deepseek', [1, 2, 3].map(() => ({ kind: 'error' as const, status: 500, error: 'server_error' as const })));
    stack.simulator.script('qwen', [{ kind: 'delay', ms: 900, then: { kind: 'ok' } }]);
    const fallingBack = chat('first');
    await new Promise((resolve) => setTimeout(resolve, 250)); // first has failed over; backup is answering slowly

    const direct = await chat('backup'); // backup's single slot is held by the fallback attempt
    expect(direct.status).toBe(429);
    expect(direct.json.error.code).toBe('queue_timeout');
    expect(Number(direct.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    stack.simulator.script('deepseek', [{ kind: 'ok' }]);
    const freed = await chat('first'); // first's slot was released when the call moved to backup
    expect(freed.status).toBe(200);
    expect(freed.headers.get('x-tidegate-model')).toBe('first');

    const served = await fallingBack;
    expect(served.status).toBe(200);
    expect(served.headers.get('x-tidegate-model')).toBe('backup');
  }, 20_000);
});
