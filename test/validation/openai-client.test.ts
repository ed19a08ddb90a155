import { BadRequestError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedProvider, startStack, type Stack } from '../e2e/harness.js';

// End to end: the official client sees OpenAI's 400s (BadRequestError, code and param) from the real gateway.
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
scenarios:
  research: { priority: standard }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'openai')}
models:
  - { id: deepseek-flash, provider: deepseek, contextWindow: 200 }
  - { id: text-embedding-3-small, provider: openai }
`);
});
afterAll(async () => stack?.close());

async function refusal(call: Promise<unknown>): Promise<BadRequestError> {
  const error = await call.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(BadRequestError);
  return error as BadRequestError;
}

const ask = { model: 'deepseek-flash', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('the openai client gets OpenAI\'s 400s', () => {
  it('for a bogus tool_choice and a stop that is not a string', async () => {
    const choice = await refusal(stack.openai.chat.completions.create({ ...ask, tool_choice: 'bogus' as 'auto' }));
    expect(choice).toMatchObject({ status: 400, code: 'invalid_request', param: 'tool_choice', type: 'invalid_request_error' });
    const stop = await refusal(stack.openai.chat.completions.create({ ...ask, stop: 5 as unknown as string }));
    expect(stop).toMatchObject({ code: 'invalid_request', param: 'stop' });
    expect(stack.simulator.requests).toHaveLength(0); // nothing was forwarded
  });

  it('while nulls the SDKs and LangChain send still pass', async () => {
    const completion = await stack.openai.chat.completions.create({ ...ask, stop: null, user: undefined, stream_options: null, tool_choice: undefined });
    expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
  });

  it('for an empty embeddings input and an unknown encoding_format', async () => {
    const empty = await refusal(stack.openai.embeddings.create({ model: 'text-embedding-3-small', input: '' }));
    expect(empty).toMatchObject({ code: 'invalid_request', param: 'input' });
    const hex = await refusal(stack.openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x', encoding_format: 'hex' as 'float' }));
    expect(hex).toMatchObject({ code: 'invalid_request', param: 'encoding_format' });
  });

  it('for an undeclared scenario', async () => {
    const typo = await refusal(stack.openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x' }, { headers: { 'x-tidegate-scenario': 'reserch' } }));
    expect(typo).toMatchObject({ code: 'invalid_request', param: 'x-tidegate-scenario' });
    expect(typo.message).toContain('research');
  });

  it('context_length_exceeded for a prompt longer than every model\'s context', async () => {
    const long = await refusal(stack.openai.chat.completions.create({ ...ask, messages: [{ role: 'user', content: 'tide '.repeat(2_000) }] }));
    expect(long).toMatchObject({ code: 'context_length_exceeded', param: 'messages' });
    expect(long.message).toMatch(/deepseek-flash has a 200-token context, the prompt needs about \d+/);
  });
});
