import { createOpenAI } from '@ai-sdk/openai';
import { generateObject } from 'ai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: qwen-plus, provider: qwen }
`);
});
afterAll(async () => stack?.close());

const Reply = z.object({ answer: z.string() });
const upstream = () => stack.simulator.requests.at(-1)!.body as { response_format?: { type: string; json_schema?: unknown }; messages: Array<{ role: string; content: string }> };

describe('roles', () => {
  it('a developer turn reaches a provider without that role as a system turn, and OpenAI-shaped clients are told', async () => {
    const { response } = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'hi' }] }).withResponse();
    expect(upstream().messages).toEqual([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }]);
    expect(decodeURIComponent(response.headers.get('x-tidegate-warning') ?? '')).toMatch(/developer/);
  });
});

describe('structured output on a provider that takes json_object only (DeepSeek)', () => {
  it('a JSON schema goes as json_object with the schema in a system turn; the SDK parses the answer', async () => {
    const { data, response } = await stack.openai.chat.completions
      .parse({ model: 'deepseek-v4-pro', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: '潮汐是什么？' }], response_format: zodResponseFormat(Reply, 'reply') })
      .withResponse();
    expect(data.choices[0]?.message.parsed).toEqual({ answer: 'Simulated deepseek answer to: 潮汐是什么？' });
    const sent = upstream();
    expect(sent.response_format).toEqual({ type: 'json_object' });
    expect(sent.messages.map((message) => message.role)).toEqual(['system', 'system', 'user']);
    expect(sent.messages[0]?.content).toBe('You are terse.');
    expect(sent.messages[1]?.content).toContain('"reply"');
    expect(JSON.parse(sent.messages[1]!.content.split('\n').at(-1)!)).toMatchObject({ type: 'object', properties: { answer: { type: 'string' } } });
    expect(decodeURIComponent(response.headers.get('x-tidegate-warning') ?? '')).toMatch(/json_schema/);
  });

  it('json_object without the word "json" in the prompt gets it added, instead of the provider\'s 400', async () => {
    const completion = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'Give me an answer object' }] });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toHaveProperty('answer');
    expect(upstream().messages).toContainEqual({ role: 'system', content: 'Reply in JSON.' });
    await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'Answer as JSON' }] });
    expect(upstream().messages).toEqual([{ role: 'user', content: 'Answer as JSON' }]);
  });

  it('a provider that takes json_schema gets it unchanged', async () => {
    await stack.openai.chat.completions.parse({ model: 'qwen-plus', messages: [{ role: 'user', content: 'hi' }], response_format: zodResponseFormat(Reply, 'reply') });
    expect(upstream().response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'reply' } });
    expect(upstream().messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('the AI SDK\'s generateObject and the Responses API text.format work against DeepSeek', async () => {
    const provider = createOpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'unused-in-open-mode' });
    const { object } = await generateObject({ model: provider.chat('deepseek-v4-pro'), schema: Reply, prompt: 'hello' });
    expect(object.answer).toBe('Simulated deepseek answer to: hello');
    const response = await stack.openai.responses.create({ model: 'deepseek-v4-pro', input: 'hello', text: { format: { type: 'json_schema', name: 'reply', schema: { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] } } } });
    expect(JSON.parse(response.output_text)).toEqual({ answer: 'Simulated deepseek answer to: hello' });
    expect(upstream().response_format).toEqual({ type: 'json_object' });
  });
});
