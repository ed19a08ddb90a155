import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVllmMetrics } from '../../src/affinity/index.js';
import { appendText, blockHashes, EngineCore, KvCache, startEngineServer, tokenize, VirtualClock, type EngineResult, type EngineServer } from '../../src/simulator/engine/index.js';

const words = (label: string, chars: number) => `${label}:`.padEnd(chars, `${label} `);

describe('KvCache', () => {
  const hashes = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

  it('hits the longest resident leading run, never the whole prompt', () => {
    const kv = new KvCache(100, 16);
    const a = kv.allocate(hashes('a', 4), 64, 16)!;
    expect(a.cachedTokens).toBe(0);
    kv.release(a);
    expect(kv.allocate(hashes('a', 4), 70, 16)!.cachedTokens).toBe(64);
    expect(kv.allocate(hashes('a', 4), 64, 16)!.cachedTokens).toBe(48); // last token recomputed
    expect(kv.allocate(['a0', 'zz', 'a2'], 48, 16)!.cachedTokens).toBe(16);
  });

  it('never evicts blocks in use, refuses what does not fit, and evicts free blocks LRU, tails first', () => {
    const kv = new KvCache(10, 16);
    const a = kv.allocate(hashes('a', 4), 64, 16)!; // 4 shared + 1 private
    const b = kv.allocate(hashes('b', 4), 64, 16)!;
    expect(kv.usedBlocks).toBe(10);
    expect(kv.allocate(hashes('c', 1), 16, 1)).toBeUndefined();
    kv.release(a);
    expect(kv.usage).toBeCloseTo(0.5);
    const c = kv.allocate(hashes('c', 2), 32, 16)!; // needs 3 of the 1 free + 4 evictable: evicts a3, a2
    expect(kv.evictions).toBe(2);
    kv.release(c);
    kv.release(b);
    expect(kv.allocate(hashes('a', 4), 80, 0)!.cachedTokens).toBe(32); // the head a0, a1 survived
  });

  it('keeps the blocks an answer filled cached after release, in place of the private blocks', () => {
    const kv = new KvCache(20, 16);
    const a = kv.allocate(hashes('a', 4), 70, 40)!; // 70 + 40 tokens: 7 blocks, 4 shared + 3 private
    expect(a.privateBlocks).toBe(3);
    kv.release(a, [...hashes('a', 4), 'o4', 'o5']); // prompt + answer: 2 more full blocks
    expect(kv.usedBlocks).toBe(0);
    expect(kv.cachedBlocks).toBe(6);
    expect(kv.allocate([...hashes('a', 4), 'o4', 'o5', 'n6'], 112, 16)!.cachedTokens).toBe(96);
    // a chain that diverges inside the prompt (re-tokenized last word) caches from the divergence on
    const kv2 = new KvCache(20, 16);
    kv2.release(kv2.allocate(hashes('b', 2), 40, 16)!, ['b0', 'x1', 'x2']);
    expect(kv2.cachedBlocks).toBe(4); // b0, b1, x1, x2
    // answers that re-tokenize longer than the private blocks evict older free blocks, never live ones
    const kv3 = new KvCache(6, 16);
    const live = kv3.allocate(hashes('c', 2), 32, 16)!; // 2 shared + 1 private
    kv3.release(kv3.allocate(hashes('d', 1), 16, 16)!, [...hashes('d', 1), 'e1', 'e2', 'e3', 'e4']);
    expect(kv3.cachedBlocks + 1).toBeLessThanOrEqual(6);
    expect(kv3.allocate(hashes('c', 2), 40, 0)!.cachedTokens).toBe(32);
    kv3.release(live);
  });

  it('resumes a chain of block hashes from a parent hash', () => {
    const tokens = tokenize('x'.repeat(640));
    const full = blockHashes(tokens, 16);
    expect(blockHashes(tokens, 16, 4, full[3])).toEqual(full.slice(4));
    expect(() => blockHashes(tokens, 16, 4)).toThrow(RangeError);
    // appending text refills the zero-padded last word, as tokenizing the whole text does
    expect([...appendText(tokenize('abcdef'), 'ghij')]).toEqual([...tokenize('abcdefghij')]);
  });

  it('counts nothing as cached with prefix caching off', () => {
    const kv = new KvCache(100, 16, false);
    kv.release(kv.allocate(hashes('a', 4), 64, 16)!);
    expect(kv.allocate(hashes('a', 4), 70, 16)!.cachedTokens).toBe(0);
  });
});

describe('EngineCore step loop (virtual time)', () => {
  const run = (engine: EngineCore, clock: VirtualClock, tokens: number, maxTokens = 4) => {
    let out: EngineResult | undefined;
    engine.submit({ tokens: Array.from({ length: tokens }, (_, i) => i), maxTokens, onFinish: (r) => (out = r) });
    clock.run();
    return out!;
  };

  it('prefill time is proportional to uncached tokens', () => {
    const clock = new VirtualClock();
    const engine = new EngineCore(clock, { stepBaseMs: 5, prefillMsPerToken: 0.1, maxBatchedTokens: 100_000 });
    const cold = run(engine, clock, 4000);
    const warm = run(engine, clock, 4000);
    expect(cold.cachedTokens).toBe(0);
    expect(warm.cachedTokens).toBe(3984);
    expect(cold.firstTokenAt - cold.arrivedAt).toBeCloseTo(5 + 400);
    expect(warm.firstTokenAt - warm.arrivedAt).toBeCloseTo(5 + 1.6);
    expect(warm.completionTokens).toBe(4);
  });

  it('queues beyond maxNumSeqs and shares decode steps across the batch', () => {
    const clock = new VirtualClock();
    const engine = new EngineCore(clock, { maxNumSeqs: 2, stepBaseMs: 10, prefillMsPerToken: 0, decodeMsPerSeq: 0 });
    const results: EngineResult[] = [];
    for (let i = 0; i < 3; i++) engine.submit({ tokens: [i, 1, 2], maxTokens: 5, onFinish: (r) => results.push(r) });
    expect(engine.numWaiting).toBe(3);
    clock.run(0);
    expect(engine.numRunning).toBe(2);
    expect(engine.numWaiting).toBe(1);
    clock.run();
    const sorted = results.sort((a, b) => a.finishedAt - b.finishedAt);
    expect(sorted[0]!.finishedAt).toBe(50); // 5 steps of 10 ms, batched together
    expect(sorted[1]!.finishedAt).toBe(50);
    expect(sorted[2]!.admittedAt).toBe(50);
    expect(sorted[2]!.finishedAt).toBe(100);
  });
});

describe('simulated engine over HTTP (official openai client)', () => {
  let server: EngineServer;
  let client: OpenAI;
  const system = words('You are the support agent of tenant 7', 8192);

  beforeAll(async () => {
    server = await startEngineServer({ timeScale: 100, engine: { numBlocks: 1024, modelName: 'sim-llm' } });
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => server.close());

  it('reports cached_tokens measured by the engine, plain and streamed', async () => {
    const cold = await client.chat.completions.create({ model: 'sim-llm', messages: [{ role: 'system', content: system }, { role: 'user', content: 'first question' }], max_tokens: 8 });
    expect(cold.choices[0]!.message.content?.split(' ')).toHaveLength(8);
    expect(cold.choices[0]!.finish_reason).toBe('length');
    expect(cold.usage?.completion_tokens).toBe(8);
    expect(cold.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    const promptTokens = cold.usage!.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(2048);

    const stream = await client.chat.completions.create({ model: 'sim-llm', messages: [{ role: 'system', content: system }, { role: 'user', content: 'second question' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    const cached = usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached % 16).toBe(0);
    expect(cached).toBeGreaterThanOrEqual(2048); // the shared system prompt
    expect(cached).toBeLessThan(usage!.prompt_tokens);

    const metrics = parseVllmMetrics(await (await fetch(`${server.url}/metrics`)).text())!;
    expect(metrics).toMatchObject({ running: 0, waiting: 0, prefixCacheHits: cached, prefixCacheQueries: promptTokens + usage!.prompt_tokens, numGpuBlocks: 1024, blockSize: 16 });
  });

  it('caches the answer too: the next turn of a conversation hits past the previous prompt', async () => {
    const messages = [{ role: 'system' as const, content: words('You are a travel agent', 2000) }, { role: 'user' as const, content: 'Plan a weekend in Lisbon.' }];
    const first = await client.chat.completions.create({ model: 'sim-llm', messages, max_tokens: 200 });
    const answer = first.choices[0]!.message.content!;
    const next = await client.chat.completions.create({ model: 'sim-llm', messages: [...messages, { role: 'assistant', content: answer }, { role: 'user', content: 'And for a family?' }], max_tokens: 4 });
    const cached = next.usage!.prompt_tokens_details!.cached_tokens!;
    expect(cached).toBeGreaterThan(first.usage!.prompt_tokens + 150); // most of the 200-word answer
    expect(cached).toBeLessThan(next.usage!.prompt_tokens);
  });

  it('evicts a prefix the cache cannot keep, and answers the same prompt identically', async () => {
    const ask = (content: string) => client.chat.completions.create({ model: 'sim-llm', messages: [{ role: 'user', content }], max_tokens: 4 });
    const target = words('evict me', 8000);
    const first = await ask(target);
    const warm = await ask(target);
    expect(warm.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(1900);
    expect(warm.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    for (let i = 0; i < 10; i++) await ask(words(`filler ${i}`, 8000)); // 10 × 125 blocks > 1024
    expect((await ask(target)).usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });

  it('rejects bad requests in the OpenAI error shape', async () => {
    await expect(client.chat.completions.create({ model: 'sim-llm', messages: [] })).rejects.toMatchObject({ status: 400 });
    await expect(client.chat.completions.create({ model: 'sim-llm', messages: [{ role: 'user', content: words('huge', 80_000) }] })).rejects.toMatchObject({ status: 400 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim-llm']);
  });
});
