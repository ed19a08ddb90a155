import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPreset } from '../../src/providers/registry.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${['deepseek', 'qwen', 'kimi', 'glm', 'minimax', 'qianfan'].map((preset) => simulatedProvider(simulator, preset)).join('')}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: deepseek-reasoner, provider: deepseek }
  - { id: qwen-plus, provider: qwen }
  - { id: kimi-k2.5, provider: kimi }
  - { id: glm-5.3, provider: glm }
  - { id: MiniMax-M3, provider: minimax }
  - { id: ernie-speed-128k, provider: qianfan }
`);
});
afterAll(async () => stack?.close());

/**
 * Expected CNY, computed independently of the gateway from the price in force now: CNY per 1M tokens,
 * with DeepSeek's off-peak half price when the test runs off-peak (the response says which tariff applied).
 */
function expectedCny(preset: string, model: string, usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } }, tariff?: string | null): string {
  const prices = getPreset(preset)!.models.find((entry) => entry.id === model)!.prices;
  const price = prices.at(-1)!;
  const rate = price.currency === 'USD' ? 7.2 : 1;
  const multiplier = tariff === 'off-peak' ? 0.5 : 1;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const nano = Math.round(((usage.prompt_tokens - cached) * price.input * 1000 + cached * (price.cacheRead ?? price.input) * 1000 + usage.completion_tokens * price.output * 1000) * rate * multiplier);
  return (nano / 1e9).toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
}

const conversation = (text: string) => [{ role: 'system' as const, content: `Stable system prompt for ${text}` }, { role: 'user' as const, content: text }];

describe('usage is normalised per provider format and priced from the catalogue', () => {
  it('DeepSeek: cache hits (prompt_cache_hit_tokens) are billed at the cached price', async () => {
    await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages: conversation('deepseek cache') });
    const { data, response } = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages: conversation('deepseek cache') }).withResponse();
    const upstream = stack.simulator.requests.at(-1);
    expect(upstream?.preset).toBe('deepseek');
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-tidegate-cost-cny')).toBe(expectedCny('deepseek', 'deepseek-v4-pro', data.usage!, response.headers.get('x-tidegate-tariff')));
  });

  it('DeepSeek reasoner: reasoning_content passes through and reasoning tokens are counted in output', async () => {
    const { data, response } = await stack.openai.chat.completions.create({ model: 'deepseek-reasoner', messages: [{ role: 'user', content: 'think' }] }).withResponse();
    const message = data.choices[0]!.message as { reasoning_content?: string };
    expect(message.reasoning_content).toContain('Thinking about');
    expect(data.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeGreaterThan(data.usage!.completion_tokens_details!.reasoning_tokens!);
    expect(response.headers.get('x-tidegate-cost-cny')).toBe(expectedCny('deepseek', 'deepseek-reasoner', data.usage!, response.headers.get('x-tidegate-tariff')));
  });

  it('streamed and non-streamed answers to the same request cost the same', async () => {
    const messages = [{ role: 'user' as const, content: 'same cost either way' }];
    const plain = await stack.openai.chat.completions.create({ model: 'qwen-plus', messages: [...messages] });
    const stream = await stack.openai.chat.completions.create({ model: 'qwen-plus', messages: [...messages], stream: true, stream_options: { include_usage: true } });
    let usage: any;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage.completion_tokens).toBe(plain.usage?.completion_tokens);
    // The second call hit the simulator's prefix cache, so compare each with its own expected figure.
    expect(usage.cost_cny).toBe(expectedCny('qwen', 'qwen-plus', usage));
    expect((plain.usage as any).cost_cny).toBe(expectedCny('qwen', 'qwen-plus', plain.usage!));
  });

  it('Qwen without include_usage: usage and cost ride on the final chunk, never an empty-choices chunk', async () => {
    const stream = await stack.openai.chat.completions.create({ model: 'qwen-plus', stream: true, messages: [{ role: 'user', content: 'no usage asked' }] });
    const chunks: any[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.choices.length > 0)).toBe(true);
    const last = chunks.at(-1);
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.usage.cost_cny).toBe(expectedCny('qwen', 'qwen-plus', last.usage));
  });

  it('Kimi: usage inside choices[0].usage of the last chunk, and top-level cached_tokens', async () => {
    const messages = conversation('kimi cache');
    await stack.openai.chat.completions.create({ model: 'kimi-k2.5', messages });
    const plain = await stack.openai.chat.completions.create({ model: 'kimi-k2.5', messages });
    expect(plain.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0);
    expect((plain.usage as any).cost_cny).toBe(expectedCny('kimi', 'kimi-k2.5', plain.usage!));
    const stream = await stack.openai.chat.completions.create({ model: 'kimi-k2.5', messages, stream: true, stream_options: { include_usage: true } });
    let usage: any;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage.prompt_tokens).toBe(plain.usage?.prompt_tokens);
    expect(usage.usage_estimated ?? usage.estimated).toBeUndefined();
    expect(usage.cost_cny).toBe(expectedCny('kimi', 'kimi-k2.5', usage));
  });

  it.each([
    ['glm', 'glm-5.3'],
    ['minimax', 'MiniMax-M3'],
    ['qianfan', 'ernie-speed-128k'],
  ])('%s: streamed usage is read and priced', async (preset, model) => {
    const stream = await stack.openai.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `usage for ${preset}` }] });
    let usage: any;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    expect(usage.estimated).toBeUndefined();
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.cost_cny).toBe(expectedCny(preset, model, usage));
  });

  it('MiniMax temperature 0 is adjusted into its range and the change is reported', async () => {
    const { response } = await stack.openai.chat.completions.create({ model: 'MiniMax-M3', temperature: 0, messages: [{ role: 'user', content: 'x' }] }).withResponse();
    expect(response.headers.get('x-tidegate-warning')).toContain('temperature 0');
    expect((stack.simulator.requests.at(-1)?.body as { temperature: number }).temperature).toBe(0.01);
  });
});

describe('the gateway bills with the same code as `tidegate cost`', () => {
  it('x-tidegate-cost-cny equals `tidegate cost` for the same usage at the same moment', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { resolve } = await import('node:path');
    const messages = conversation('billing parity');
    await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages });
    const { data, response } = await stack.openai.chat.completions.create({ model: 'deepseek-v4-pro', messages }).withResponse();
    const id = response.headers.get('x-tidegate-request-id')!;
    await new Promise((done) => setTimeout(done, 60));
    const { openDatabase, queryRequestLog } = await import('../../src/storage/index.js');
    const database = await openDatabase(`sqlite:${stack.dir}/tidegate.db`);
    const row = (await queryRequestLog(database, { limit: 100 })).find((candidate) => candidate.id === id)!;
    await database.close();
    const cached = data.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThan(0);
    const { stdout } = await promisify(execFile)(process.execPath, [
      resolve(__dirname, '../../bin/tidegate.js'), 'cost', '--json', '--model', 'deepseek-v4-pro',
      '--input', String(data.usage!.prompt_tokens), '--cached', String(cached), '--output', String(data.usage!.completion_tokens),
      '--at', new Date(row.createdAt).toISOString(),
    ]);
    const quoted = JSON.parse(stdout) as { cost_cny: string; tariff: string };
    expect(response.headers.get('x-tidegate-cost-cny')).toBe(quoted.cost_cny);
    expect(row.tariff).toBe(quoted.tariff);
    expect(row.priceVersion).toMatch(/^deepseek-v4-pro@\d{4}-\d{2}-\d{2}$/);
    expect(row.flagshipModel).toBe('deepseek-v4-pro');
  });
});
