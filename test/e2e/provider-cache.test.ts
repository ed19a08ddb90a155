import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const adminKey = 'admin-secret-provider-cache';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'qwen')}
models:
  - { id: qwen-plus, provider: qwen }
`, { router: null });
});
afterAll(async () => stack?.close());

const admin = { authorization: `Bearer ${adminKey}` };
const longSystem = `你是客服助手。${'Always cite the policy section and answer in the customer language. '.repeat(120)}`;

describe("providers' own context caches", () => {
  it('marks a repeating long system prompt for Qwen explicit caching, and the ledger shows what the cache saved', async () => {
    const client = new (await import('openai')).default({ baseURL: `${stack.gateway.url}/v1`, apiKey: adminKey, maxRetries: 0 });
    const ids: string[] = [];
    for (const question of ['退货政策是什么？', 'How long is the warranty?', '运费谁付？']) {
      const { response } = await client.chat.completions.create({ model: 'qwen-plus', messages: [{ role: 'system', content: longSystem }, { role: 'user', content: question }] }).withResponse();
      ids.push(response.headers.get('x-tidegate-request-id')!);
    }
    const bodies = stack.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body as { messages: Array<{ content: unknown }> });
    expect(JSON.stringify(bodies[0])).not.toContain('cache_control');
    for (const body of bodies.slice(1)) {
      expect(body.messages[0]!.content).toEqual([{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral' } }]);
    }

    let rows: Array<Record<string, any>> = [];
    for (let i = 0; i < 50 && rows.length < 3; i++) {
      const listed = await raw(stack, '/admin/requests?limit=50', { headers: admin });
      rows = (listed.json.data as Array<Record<string, any>>).filter((row) => ids.includes(row.id));
      if (rows.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const third = rows.find((row) => row.id === ids[2])!;
    expect(third.usage.cacheRead).toBeGreaterThan(0);
    expect(third.providerCacheSavedNanoCny).toBeGreaterThan(0);

    const report = await raw(stack, '/admin/usage?group=provider', { headers: admin });
    const qwen = report.json.rows.find((row: { group: string }) => row.group === 'qwen');
    expect(qwen.cached_tokens).toBeGreaterThan(0);
    const saved = rows.reduce((sum, row) => sum + row.providerCacheSavedNanoCny, 0);
    expect(Math.round(Number(qwen.provider_cache_savings_cny) * 1e9)).toBe(saved);
  });
});
