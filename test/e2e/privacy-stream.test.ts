/**
 * Issue 8 done-when checks through the gateway: streamed answers with tool-call arguments come back with
 * the original values while the fake upstream never sees one; placeholders differ per tenant; a detector
 * fault refuses the request before anything is sent; a key's own policy tightens; data kept in clear for
 * on-premises models never enters the response cache.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivacyEngine, type PrivacyEngine } from '../../src/privacy/index.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const adminKey = 'admin-secret-for-privacy-stream';
const ID = '11010519491231002X';
const PHONE = '13812345678';
let stack: Stack;
let alice: OpenAI;
let bob: OpenAI;
let hrBot: OpenAI;

async function createKey(name: string): Promise<OpenAI> {
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name }) });
  expect(created.status).toBe(201);
  return new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: created.json.key as string, maxRetries: 0 });
}

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
cache:
  exact: { enabled: true, ttlSeconds: 600 }
privacy:
  secret: test-secret-at-least-16-chars
  provider: { default: mask }
  keys:
    hr-bot: { default: mask, types: { PHONE: block } }
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'openai-compatible', '\n    onPremises: true')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-flash, provider: deepseek }
  - { id: text-embedding-v3, provider: qwen }
  - { id: local-qwen, provider: openai-compatible, upstream: qwen3-32b, price: { input: 0, output: 0 } }
routes:
  - { id: hr, light: [local-qwen], flagship: [local-qwen], privacy: { default: onPremises } }
`, { router: null });
  alice = await createKey('alice');
  bob = await createKey('bob');
  hrBot = await createKey('hr-bot');
});
afterAll(async () => stack?.close());

const chatBodies = () => stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => JSON.stringify(request.body));
const placeholdersIn = (text: string) => text.match(/\[(ID_CARD|PHONE)_[A-Z0-9]+\]/g) ?? [];
const tools = [{ type: 'function' as const, function: { name: 'register', parameters: { type: 'object', properties: { id: { type: 'string' }, phone: { type: 'string' } } } } }];

describe('streamed answers through the gateway', () => {
  it('restores content and tool-call arguments split across chunks; the upstream never receives a value', async () => {
    const first = `登记客户：身份证 ${ID}，手机 ${PHONE}。`;
    let counter = 0;
    const messages = () => [{ role: 'user' as const, content: first }, { role: 'assistant' as const, content: '好的' }, { role: 'user' as const, content: `请登记 #${++counter}` }];
    const before = chatBodies().length;
    await alice.chat.completions.create({ model: 'deepseek-flash', messages: messages() });
    const [id, phone] = ['[ID_CARD_', '[PHONE_'].map((prefix) => placeholdersIn(chatBodies().at(-1)!).find((p) => p.startsWith(prefix))!);
    expect(id).toBeDefined();
    expect(phone).toBeDefined();

    // The fake model answers with the placeholders in its text and in a tool call; the simulator streams both in 8-character pieces.
    stack.simulator.script('deepseek', [{ kind: 'ok', content: `已登记 ${id}，回访电话 ${phone}。`, toolCall: { name: 'register', arguments: JSON.stringify({ id, phone }) }, finishReason: 'tool_calls' }]);
    const stream = await alice.chat.completions.create({ model: 'deepseek-flash', messages: messages(), tools, stream: true });
    let content = '';
    let args = '';
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) args += call.function?.arguments ?? '';
    }
    expect(content).toBe(`已登记 ${ID}，回访电话 ${PHONE}。`);
    expect(JSON.parse(args)).toEqual({ id: ID, phone: PHONE });
    const sent = chatBodies().slice(before);
    expect(sent).toHaveLength(2);
    for (const body of sent) {
      expect(body).not.toContain(ID);
      expect(body).not.toContain(PHONE);
    }
  });

  it('restores over /v1/messages streams too (Anthropic clients)', async () => {
    const anthropic = new (await import('@anthropic-ai/sdk')).default({ baseURL: stack.gateway.url, apiKey: adminKey, maxRetries: 0 });
    const question = `我的手机 ${PHONE}，请复述。`;
    await anthropic.messages.create({ model: 'deepseek-flash', max_tokens: 100, messages: [{ role: 'user', content: question }] });
    const phone = placeholdersIn(chatBodies().at(-1)!)[0]!;
    stack.simulator.script('deepseek', [{ kind: 'ok', content: `您的手机是 ${phone}` }]);
    let text = '';
    const stream = anthropic.messages.stream({ model: 'deepseek-flash', max_tokens: 100, messages: [{ role: 'user', content: question }] });
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    expect(text).toBe(`您的手机是 ${PHONE}`);
    expect(chatBodies().at(-1)).not.toContain(PHONE);
  });
});

describe('tenants', () => {
  it('gives two keys different placeholders for the same value, and one cannot resolve the other’s', async () => {
    const ask = (who: OpenAI) => who.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `联系电话 ${PHONE}` }] });
    await ask(alice);
    const alices = placeholdersIn(chatBodies().at(-1)!)[0]!;
    await ask(bob);
    const bobs = placeholdersIn(chatBodies().at(-1)!)[0]!;
    expect(alices).toMatch(/^\[PHONE_/);
    expect(bobs).toMatch(/^\[PHONE_/);
    expect(bobs).not.toBe(alices);
    // Bob's model echoes Alice's placeholder: Bob gets the placeholder text, never Alice's value.
    stack.simulator.script('deepseek', [{ kind: 'ok', content: `号码 ${alices} 和 ${bobs}` }]);
    const answer = await ask(bob);
    expect(answer.choices[0]!.message.content).toBe(`号码 ${alices} 和 ${PHONE}`);
  });
});

describe('fail closed', () => {
  it('refuses the request when a detector fails, and nothing reaches the upstream, streamed or not', async () => {
    const services = stack.gateway.services as { privacy: PrivacyEngine | undefined };
    const working = services.privacy;
    services.privacy = createPrivacyEngine({
      secret: 'test-secret-at-least-16-chars',
      detection: { detectors: [{ type: 'BROKEN', detect: () => { throw new Error(`detector crashed on ${PHONE}`); } }] },
    });
    try {
      const before = stack.simulator.requests.length;
      for (const stream of [false, true]) {
        const error = await alice.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `电话 ${PHONE}` }], stream }).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(500);
        expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('privacy_scan_failed');
        expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(PHONE);
      }
      expect(stack.simulator.requests.length).toBe(before);
    } finally {
      services.privacy = working;
    }
  });
});

describe('embeddings', () => {
  it('masks embeddings inputs with one placeholder per value and tenant, and applies the key’s policy', async () => {
    const embedBodies = () => stack.simulator.requests.filter((request) => request.path.endsWith('/embeddings')).map((request) => JSON.stringify(request.body));
    await alice.embeddings.create({ model: 'text-embedding-v3', input: [`客户手机 ${PHONE}`, '无个人信息'] });
    await alice.embeddings.create({ model: 'text-embedding-v3', input: `回访 ${PHONE}` });
    const [first, second] = embedBodies().slice(-2);
    for (const body of [first!, second!]) expect(body).not.toContain(PHONE);
    expect(first).toContain('无个人信息');
    expect(placeholdersIn(first!)).toHaveLength(1);
    expect(placeholdersIn(first!)).toEqual(placeholdersIn(second!));
    const error = await hrBot.embeddings.create({ model: 'text-embedding-v3', input: `手机 ${PHONE}` }).then(() => undefined, (e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('pii_blocked');
  });
});

describe('policies by key and for stores', () => {
  it('applies a key’s stricter policy to that key only', async () => {
    const error = await hrBot.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `员工手机 ${PHONE}` }] }).then(() => undefined, (e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('pii_blocked');
    const fine = await alice.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `员工手机 ${PHONE}` }] });
    expect(fine.choices[0]!.message.content).toBeTruthy();
    // The key's policy tightens only: a type the key leaves at mask is still masked for it.
    await hrBot.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `身份证 ${ID}` }] });
    expect(chatBodies().at(-1)).not.toContain(ID);
  });

  it('never caches a request whose personal data stays in clear for on-premises models', async () => {
    const ask = () => alice.chat.completions.create({ model: 'hr', temperature: 0, messages: [{ role: 'user', content: `员工身份证 ${ID} 的年假？` }] }).withResponse();
    const before = chatBodies().length;
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-tidegate-cache')).toBe('bypass');
    expect(second.response.headers.get('x-tidegate-cache')).toBe('bypass');
    expect(chatBodies().length).toBe(before + 2);
    // Without personal data the same route is cached as usual.
    const plain = () => alice.chat.completions.create({ model: 'hr', temperature: 0, messages: [{ role: 'user', content: '年假制度是什么？' }] }).withResponse();
    await plain();
    expect((await plain()).response.headers.get('x-tidegate-cache')).toBe('hit');
  });
});
