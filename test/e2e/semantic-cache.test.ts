import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const adminKey = 'admin-secret-semantic';
let stack: Stack;
let alice: OpenAI;
let bob: OpenAI;

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
cache:
  semantic: { scenarios: [support] }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`, { router: null });
  const key = async (name: string) => (await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name }) })).json.key as string;
  const client = async (name: string) => new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: await key(name), maxRetries: 0, defaultHeaders: { 'x-tidegate-scenario': 'support' } });
  alice = await client('alice');
  bob = await client('bob');
});
afterAll(async () => stack?.close());

const ask = (text: string, system = 'You are the support desk. Answer briefly.') => ({
  model: 'deepseek-flash',
  temperature: 0,
  messages: [{ role: 'system' as const, content: system }, { role: 'user' as const, content: text }],
});
const cacheOf = async (client: OpenAI, text: string, system?: string, headers: Record<string, string> = {}) => {
  const { data, response } = await client.chat.completions.create(ask(text, system), { headers }).withResponse();
  return { data, status: response.headers.get('x-tidegate-cache'), kind: response.headers.get('x-tidegate-cache-kind'), similarity: response.headers.get('x-tidegate-cache-similarity') };
};

describe('semantic response cache (opt-in per scenario)', () => {
  it('answers a paraphrase from the cache, in English and in Chinese', async () => {
    for (const [first, paraphrase] of [['How do I reset my password?', 'How can I reset my password?'], ['如何重置我的密码？', '怎么重置我的密码？'], ['退货政策是什么？', '你们的退货政策是什么？']] as const) {
      const stored = await cacheOf(alice, first);
      expect(stored.status).toBe('miss');
      const hit = await cacheOf(alice, paraphrase);
      expect(hit.status).toBe('hit');
      expect(hit.kind).toBe('semantic');
      expect(Number(hit.similarity)).toBeGreaterThan(0.5);
      expect(hit.data.choices[0]!.message.content).toBe(stored.data.choices[0]!.message.content);
    }
  });

  it('never answers a near-miss: a negation, a changed number, a changed place or object', async () => {
    const nearMisses: Array<[string, string]> = [
      ['What is the capital of France?', 'What is not the capital of France?'],
      ['Convert 100 USD to EUR', 'Convert 200 USD to EUR'],
      ['明天北京会下雨吗？', '明天上海会下雨吗？'],
      ['How do I change my email address?', 'How do I change my postal address?'],
      ['订单12345什么时候发货？', '订单12346什么时候发货？'],
    ];
    for (const [first, second] of nearMisses) {
      await cacheOf(alice, first);
      const other = await cacheOf(alice, second);
      expect(other.status, second).toBe('miss');
    }
  });

  it('never crosses tenants or system prompts, and is off outside its scenario', async () => {
    await cacheOf(alice, 'Where can I download my invoice?');
    expect((await cacheOf(bob, 'Where can I download my invoice?')).status).toBe('miss');
    expect((await cacheOf(alice, 'Where can I download my invoice?', 'You are a pirate. Answer in pirate speak.')).status).toBe('miss');
    const outside = await alice.chat.completions.create(ask('Where can I download my invoice?'), { headers: { 'x-tidegate-scenario': 'research' } }).withResponse();
    expect(outside.response.headers.get('x-tidegate-cache')).toBe('bypass');
  });

  it('records semantic hits apart in the usage report', async () => {
    const report = await raw(stack, '/admin/usage?group=model', { headers: { authorization: `Bearer ${adminKey}` } });
    expect(report.json.total.semantic_cache_hits).toBeGreaterThanOrEqual(3);
    expect(Number(report.json.total.cache_savings_cny)).toBeGreaterThan(0);
  });
});
