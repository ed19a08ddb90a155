import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from '../../src/simulator/engine/index.js';
import { startStack, type Stack } from './harness.js';

/** Three simulated vLLM replicas (paged KV with prefix caching, /metrics) behind one openai-compatible provider per policy. */
let engines: EngineServer[] = [];
let stack: Stack;
let client: OpenAI;

beforeAll(async () => {
  engines = await Promise.all([0, 1, 2].map(() => startEngineServer({ timeScale: 200 })));
  const replicas = engines.map((engine) => `${engine.url}/v1`);
  stack = await startStack(() => `
providers:
  - id: vllm-prefix
    preset: openai-compatible
    baseUrl: ${replicas[0]}
    replicas: [${replicas.join(', ')}]
    affinity: { policy: prefix, metricsIntervalMs: 100 }
  - id: vllm-rr
    preset: openai-compatible
    baseUrl: ${replicas[0]}
    replicas: [${replicas.join(', ')}]
    affinity: { policy: round-robin, metricsIntervalMs: 0 }
models:
  - { id: llama-prefix, provider: vllm-prefix, upstream: sim-llama, price: { input: 1, output: 2 } }
  - { id: llama-rr, provider: vllm-rr, upstream: sim-llama, price: { input: 1, output: 2 } }
`, { router: null });
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => {
  await stack?.close();
  await Promise.all(engines.map((engine) => engine.close()));
});

const systems = ['You are a tax adviser.', 'You are a travel agent.', 'You are a code reviewer.', 'You are a chef.'].map((intro) => `${intro} ${'Follow the house rules carefully and cite them. '.repeat(60)}`);

/** Engine-reported share of prompt tokens served from the KV cache over a workload of shared system prompts. */
async function hitRate(model: string): Promise<{ rate: number; replicas: Set<string> }> {
  for (const engine of engines) await fetch(`${engine.url}/reset_prefix_cache`, { method: 'POST' });
  let cached = 0;
  let prompt = 0;
  const replicas = new Set<string>();
  for (let round = 0; round < 6; round++) {
    for (const [index, system] of systems.entries()) {
      const { data, response } = await client.chat.completions.create({ model, max_tokens: 4, messages: [{ role: 'system', content: system }, { role: 'user', content: `Question ${round} for persona ${index}` }] }).withResponse();
      cached += data.usage?.prompt_tokens_details?.cached_tokens ?? 0;
      prompt += data.usage?.prompt_tokens ?? 0;
      replicas.add(response.headers.get('x-tidegate-replica') ?? '');
    }
  }
  return { rate: cached / prompt, replicas };
}

describe('prefix-affinity routing across self-hosted replicas', () => {
  it('sends shared prefixes to the replica that holds them: a higher engine-reported hit rate than round-robin', async () => {
    const affinity = await hitRate('llama-prefix');
    const roundRobin = await hitRate('llama-rr');
    console.log(`engine-reported hit rate: prefix affinity ${affinity.rate.toFixed(3)}, round-robin ${roundRobin.rate.toFixed(3)}`);
    expect(affinity.rate).toBeGreaterThan(roundRobin.rate * 1.5);
    expect(affinity.rate).toBeGreaterThan(0.6);
    expect([...affinity.replicas].some((replica) => replica.includes('(prefix)'))).toBe(true);
  });

  it('keeps a session on its replica', async () => {
    const seen = new Set<string>();
    for (let turn = 0; turn < 5; turn++) {
      const { response } = await client.chat.completions.create(
        { model: 'llama-prefix', max_tokens: 4, messages: [{ role: 'user', content: `turn ${turn}: ${Math.random()}` }] },
        { headers: { 'x-tidegate-session': 'conversation-42' } },
      ).withResponse();
      seen.add(response.headers.get('x-tidegate-replica')!.split(' ')[0]!);
    }
    expect(seen.size).toBe(1);
  });

  it('leaves out a replica that stopped answering and keeps serving', async () => {
    const stopped = engines[2]!;
    await stopped.close();
    await new Promise((resolve) => setTimeout(resolve, 400)); // a few metrics polls notice it
    for (let i = 0; i < 6; i++) {
      const { response } = await client.chat.completions.create({ model: 'llama-prefix', max_tokens: 4, messages: [{ role: 'user', content: `after stop ${i}` }] }).withResponse();
      expect(response.headers.get('x-tidegate-replica')!.startsWith('2 ')).toBe(false);
    }
  });
});
