import { describe, expect, it } from 'vitest';
import { createSemanticCache, DEFAULT_SEMANTIC_THRESHOLD, type Conversation, type SemanticLookupEvent } from '../../../src/cache/semantic/index.js';

const ask = (text: string, system = '', earlier: string[] = []): Conversation => ({
  system,
  messages: [...earlier.map((t, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', text: t })), { role: 'user', text }],
});
const T0 = 1_000_000;

describe('semantic cache', () => {
  it('serves a paraphrase in the same tenant, scope and context', async () => {
    const cache = createSemanticCache<string>();
    await cache.store('t1', 's', ask('How do I reset my password?'), 'answer', T0);
    const hit = await cache.lookup('t1', 's', ask('What is the way to reset my password'), T0);
    expect(hit?.value).toBe('answer');
    expect(hit?.similarity).toBeGreaterThanOrEqual(DEFAULT_SEMANTIC_THRESHOLD);
    expect((await cache.lookup('t1', 's', ask('密码怎么重置'), T0))?.value).toBeUndefined();
    await cache.store('t1', 's', ask('怎么重置密码'), '中文答案', T0);
    expect((await cache.lookup('t1', 's', ask('密码怎么重置？'), T0))?.value).toBe('中文答案');
  });

  it('never crosses tenants, even for the identical conversation', async () => {
    const cache = createSemanticCache<string>();
    await cache.store('team-a', 's', ask('What is our refund policy?'), 'a-secret', T0);
    expect(await cache.lookup('team-b', 's', ask('What is our refund policy?'), T0)).toBeUndefined();
    expect(await cache.lookup('team-a ', 's', ask('What is our refund policy?'), T0)).toBeUndefined();
    expect((await cache.lookup('team-a', 's', ask('What is our refund policy?'), T0))?.value).toBe('a-secret');
  });

  it('never crosses scopes', async () => {
    const cache = createSemanticCache<string>();
    await cache.store('t', 'model-a|temp0', ask('Explain recursion'), 'a', T0);
    expect(await cache.lookup('t', 'model-b|temp0', ask('Explain recursion'), T0)).toBeUndefined();
    expect((await cache.lookup('t', 'model-a|temp0', ask('Explain recursion'), T0))?.value).toBe('a');
  });

  it('never hits when the system prompt or an earlier turn differs', async () => {
    const cache = createSemanticCache<string>();
    await cache.store('t', 's', ask('Describe the sea', 'You are a poet.'), 'poem', T0);
    await cache.store('t', 's', ask('Suggest a dinner', '', ['I am vegetarian.', 'Noted.']), 'veg', T0);
    expect(await cache.lookup('t', 's', ask('Describe the sea', 'You are a technical writer.'), T0)).toBeUndefined();
    expect(await cache.lookup('t', 's', ask('Describe the sea'), T0)).toBeUndefined();
    expect(await cache.lookup('t', 's', ask('Suggest a dinner', '', ['I eat meat.', 'Noted.']), T0)).toBeUndefined();
    expect(await cache.lookup('t', 's', ask('Suggest a dinner'), T0)).toBeUndefined();
    expect((await cache.lookup('t', 's', ask('Describe the sea', 'You are a poet.'), T0))?.value).toBe('poem');
    expect((await cache.lookup('t', 's', ask('Suggest a dinner', '', ['I am vegetarian.', 'Noted.']), T0))?.value).toBe('veg');
  });

  it('refuses near-misses the similarity alone would accept, and reports why', async () => {
    const events: SemanticLookupEvent[] = [];
    const cache = createSemanticCache<string>({ onLookup: (e) => events.push(e) });
    await cache.store('t', 's', ask('明天北京天气怎么样'), 'tomorrow', T0);
    await cache.store('t', 's', ask('Is it safe to drink tap water in Paris?'), 'yes', T0);
    expect(await cache.lookup('t', 's', ask('今天北京天气怎么样'), T0)).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ hit: false, rejected: expect.stringMatching(/^date/) });
    expect(events.at(-1)?.nearest).toBeGreaterThan(DEFAULT_SEMANTIC_THRESHOLD);
    expect(await cache.lookup('t', 's', ask('Is it not safe to drink tap water in Paris?'), T0)).toBeUndefined();
    expect(events.at(-1)?.rejected).toMatch(/^negation/);
  });

  it('expires entries after the TTL (fixed, not sliding)', async () => {
    const cache = createSemanticCache<string>({ ttlMs: 1000 });
    await cache.store('t', 's', ask('Explain recursion'), 'a', T0);
    expect(await cache.lookup('t', 's', ask('Explain recursion'), T0 + 999)).toBeDefined();
    expect(await cache.lookup('t', 's', ask('Explain recursion'), T0 + 1000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded in total and per tenant, least recently used out first', async () => {
    const cache = createSemanticCache<number>({ maxEntries: 3, maxEntriesPerTenant: 2 });
    await cache.store('a', 's', ask('Explain recursion'), 1, T0);
    await cache.store('a', 's', ask('Explain closures'), 2, T0);
    expect(await cache.lookup('a', 's', ask('Explain recursion'), T0)).toBeDefined(); // now most recent
    await cache.store('a', 's', ask('Explain monads'), 3, T0); // evicts "closures" (a's least recent)
    expect(cache.sizeOf('a')).toBe(2);
    expect(await cache.lookup('a', 's', ask('Explain closures'), T0)).toBeUndefined();
    await cache.store('b', 's', ask('Explain recursion'), 4, T0);
    await cache.store('b', 's', ask('Explain closures'), 5, T0); // total bound: evicts a's "recursion"
    expect(cache.size).toBe(3);
    expect(await cache.lookup('a', 's', ask('Explain recursion'), T0)).toBeUndefined();
    expect((await cache.lookup('a', 's', ask('Explain monads'), T0))?.value).toBe(3);
  });

  it('replaces an entry stored again for the same text', async () => {
    const cache = createSemanticCache<number>();
    await cache.store('t', 's', ask('Explain recursion'), 1, T0);
    await cache.store('t', 's', ask('Explain  recursion'), 2, T0);
    expect(cache.size).toBe(1);
    expect((await cache.lookup('t', 's', ask('Explain recursion'), T0))?.value).toBe(2);
  });

  it('bypasses empty and over-long last messages', async () => {
    const cache = createSemanticCache<string>({ maxQueryChars: 50 });
    await cache.store('t', 's', ask(''), 'empty', T0);
    await cache.store('t', 's', ask(`Summarize: ${'lorem ipsum '.repeat(10)}`), 'long', T0);
    expect(cache.size).toBe(0);
    expect(await cache.lookup('t', 's', ask(`Summarize: ${'lorem ipsum '.repeat(10)}`), T0)).toBeUndefined();
  });

  it('uses a configured embedder, which needs its own calibrated threshold', async () => {
    expect(() => createSemanticCache({ embed: async (texts) => texts.map(() => [1, 0]) })).toThrow(/threshold/);
    const seen: string[] = [];
    const embed = async (texts: string[]) => {
      seen.push(...texts);
      return texts.map((t) => (t.includes('sea') ? [1, 0.1] : [0.1, 1]));
    };
    const cache = createSemanticCache<string>({ embed, threshold: 0.9 });
    await cache.store('t', 's', ask('Describe the sea'), 'sea', T0);
    expect((await cache.lookup('t', 's', ask('Describe the sea please'), T0))?.value).toBe('sea');
    expect(await cache.lookup('t', 's', ask('Describe the sky'), T0)).toBeUndefined();
    expect(await cache.lookup('t', 's', ask('Describe the sea 3 times'), T0)).toBeUndefined(); // guard: number
    expect(seen).toContain('Describe the sea please');
  });
});
