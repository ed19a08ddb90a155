import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatedProvider, startStack, type Stack } from './harness.js';

/** A valid resident ID (MOD 11-2 checksum), a mobile number and a bank card, in a realistic request. */
const ID = '11010519491231002X';
const PHONE = '13812345678';
let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  stack = await startStack((simulator) => `
privacy:
  secret: test-secret-at-least-16-chars
  provider: { default: mask, types: { PASSPORT: block } }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'openai-compatible', '\n    onPremises: true')}
models:
  - { id: deepseek-flash, provider: deepseek }
  - { id: local-qwen, provider: openai-compatible, upstream: qwen3-32b, price: { input: 0, output: 0 } }
routes:
  - { id: hr, light: [deepseek-flash], flagship: [deepseek-flash, local-qwen], privacy: { default: onPremises } }
`, { router: null });
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => stack?.close());

const lastUpstreamBody = () => JSON.stringify(stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).at(-1)!.body);

describe('Chinese personal data', () => {
  it('never leaves unmasked, and the answer comes back with the original values, streamed or not', async () => {
    const content = `请把客户张三（身份证 ${ID}，手机 ${PHONE}）的资料原样复述一遍。`;
    stack.simulator.script('deepseek', [{ kind: 'ok', content: 'placeholder-echo' }]);
    const upstreamBefore = stack.simulator.requests.length;
    await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content }] });
    const sent = lastUpstreamBody();
    expect(stack.simulator.requests.length).toBe(upstreamBefore + 1);
    expect(sent).not.toContain(ID);
    expect(sent).not.toContain(PHONE);
    const placeholders = sent.match(/\[(ID_CARD|PHONE)_[A-Z0-9]+\]/g)!;
    expect(new Set(placeholders.map((p) => p.split('_')[0]))).toEqual(new Set(['[ID', '[PHONE']));

    // The model repeats the placeholders; the client sees the real values, in JSON and in a stream.
    const echo = `已记录：${placeholders.join(' / ')}`;
    stack.simulator.script('deepseek', [{ kind: 'ok', content: echo }]);
    const plain = await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content }] });
    expect(plain.choices[0]!.message.content).toContain(ID);
    expect(plain.choices[0]!.message.content).toContain(PHONE);
    expect(plain.choices[0]!.message.content).not.toMatch(/\[(ID_CARD|PHONE)_/);

    stack.simulator.script('deepseek', [{ kind: 'ok', content: echo }]);
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content }], stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toContain(ID);
    expect(streamed).toContain(PHONE);
    expect(streamed).not.toContain('[');
  });

  it('uses the same placeholder for the same value in every turn of a conversation', async () => {
    const turn1 = `我的手机是 ${PHONE}`;
    await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: turn1 }] });
    const first = lastUpstreamBody().match(/\[PHONE_[A-Z0-9]+\]/)![0];
    await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: turn1 }, { role: 'assistant', content: '好的' }, { role: 'user', content: `再确认一次：${PHONE.replace(/(\d{3})(\d{4})(\d{4})/, '$1 $2 $3')}` }] });
    const again = lastUpstreamBody().match(/\[PHONE_[A-Z0-9]+\]/g)!;
    expect(new Set(again)).toEqual(new Set([first]));
  });

  it('blocks what the policy blocks, with a stable code and without echoing the value', async () => {
    const passport = 'E12345678';
    const error = await client.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `我的护照号码是 ${passport}，请帮我订票。` }] }).catch((e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('pii_blocked');
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(passport);
  });

  it('keeps a sensitive request of an on-premises route on the on-premises model', async () => {
    const { response } = await client.chat.completions.create({ model: 'hr', messages: [{ role: 'user', content: `员工身份证 ${ID} 的年假还有几天？` }] }).withResponse();
    expect(response.headers.get('x-tidegate-model')).toBe('local-qwen');
    expect(lastUpstreamBody()).toContain(ID); // kept as is, but only on-premises
    const plain = await client.chat.completions.create({ model: 'hr', messages: [{ role: 'user', content: '年假制度是什么？' }] }).withResponse();
    expect(plain.response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
  });
});
