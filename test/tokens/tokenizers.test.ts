import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { describe, expect, it, vi } from 'vitest';
import type { ChatRequest } from '../../src/canonical/chat.js';
import { estimateTextTokens } from '../../src/tokens/estimate.js';

const NEWS = '国家统计局10月18日发布数据显示，初步核算，前三季度国内生产总值949746亿元，按不变价格计算，同比增长4.8%。'
  + '分季度看，一季度国内生产总值同比增长5.3%，二季度增长4.7%，三季度增长4.6%。从环比看，三季度国内生产总值增长0.9%。';

describe('lazy loading', () => {
  it('importing the modules loads no tokenizer', async () => {
    vi.resetModules();
    const started = performance.now();
    const mod = await import('../../src/tokens/tokenizers.js');
    await import('../../src/tokens/chat-estimate.js');
    expect(mod.loadedTokenizerFamilies()).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000); // loading all four takes ~1.5 s plus transform
    mod.countTextTokens('ratio', '你好');
    expect(mod.loadedTokenizerFamilies()).toEqual([]);
    mod.countTextTokens('qwen', '你好');
    expect(mod.loadedTokenizerFamilies()).toEqual(['qwen']);
  });
});

// Loaded once for the rest of the file.
const { countTextTokens, countTextTokensDetailed, tokenizerFamilyFor, warmTokenizers, loadedTokenizerFamilies, tokenizerLoadTimes, EXACT_CHAR_CAP } =
  await import('../../src/tokens/tokenizers.js');
const { estimateChatInputTokens } = await import('../../src/tokens/chat-estimate.js');

describe('tokenizers', () => {
  it('warms every family in the background', async () => {
    await warmTokenizers(['deepseek', 'qwen', 'o200k', 'cl100k', 'ratio']);
    expect(loadedTokenizerFamilies().sort()).toEqual(['cl100k', 'deepseek', 'o200k', 'qwen']);
    for (const ms of Object.values(tokenizerLoadTimes())) expect(ms).toBeGreaterThan(0);
  }, 30_000);

  it('gives known counts for fixed strings', () => {
    for (const family of ['o200k', 'cl100k', 'deepseek', 'qwen'] as const) expect(countTextTokens(family, 'hello world')).toBe(2);
    expect(countTextTokens('o200k', '你好，世界！')).toBe(4);
    expect(countTextTokens('cl100k', '你好，世界！')).toBe(7);
    expect(countTextTokens('deepseek', '你好，世界！')).toBe(4);
    expect(countTextTokens('qwen', '你好，世界！')).toBe(4);
    expect(NEWS.length).toBe(123);
    expect(countTextTokens('o200k', NEWS)).toBe(80);
    expect(countTextTokens('cl100k', NEWS)).toBe(116);
    expect(countTextTokens('deepseek', NEWS)).toBe(67);
    expect(countTextTokens('qwen', NEWS)).toBe(74);
    for (const family of ['o200k', 'deepseek', 'qwen'] as const) expect(countTextTokens(family, '')).toBe(0);
  });

  it('matches providers.md §7 chars per token for Chinese news (~1.6–1.8 native, ~1.4 o200k, ~1.0 cl100k)', () => {
    const ratio = (family: 'o200k' | 'cl100k' | 'deepseek' | 'qwen') => NEWS.length / countTextTokens(family, NEWS);
    expect(ratio('deepseek')).toBeGreaterThan(1.55);
    expect(ratio('deepseek')).toBeLessThan(2.0);
    expect(ratio('qwen')).toBeGreaterThan(1.5);
    expect(ratio('qwen')).toBeLessThan(1.9);
    expect(ratio('o200k')).toBeGreaterThan(1.3);
    expect(ratio('o200k')).toBeLessThan(1.6);
    expect(ratio('cl100k')).toBeGreaterThan(0.9);
    expect(ratio('cl100k')).toBeLessThan(1.15);
  });

  it('counts o200k/cl100k exactly as js-tiktoken does, special tokens as plain text', () => {
    const require = createRequire(import.meta.url);
    const { Tiktoken } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    const samples = [NEWS, 'The quick brown fox — 1234567 tokens, isn\'t it?\n\n  indented\tcode();', '<|endoftext|> hi', 'a'.repeat(300), '😀👍🏽 emoji 中文混合 text'];
    for (const encoding of ['o200k', 'cl100k'] as const) {
      const encoder = new Tiktoken(require(`js-tiktoken/ranks/${encoding}_base`) as ConstructorParameters<typeof Tiktoken>[0]);
      for (const sample of samples) expect(countTextTokens(encoding, sample)).toBe(encoder.encode(sample, [], []).length);
    }
  });

  it('uses the documented ratio for "ratio"', () => {
    expect(countTextTokens('ratio', '你好世界')).toBe(Math.ceil(4 * 0.6));
    expect(countTextTokens('ratio', 'abcdefgh')).toBe(2);
    expect(countTextTokens('ratio', NEWS)).toBe(estimateTextTokens(NEWS));
    expect(countTextTokensDetailed('ratio', NEWS).method).toBe('ratio');
  });

  it('samples texts over the cap, stays close to the exact count and is fast', () => {
    const unit = NEWS + ' The gateway admits a request only if its worst-case cost fits the budget. ';
    const exactText = unit.repeat(Math.floor(EXACT_CHAR_CAP.qwen / unit.length));
    const exact = countTextTokensDetailed('qwen', exactText);
    expect(exact.method).toBe('tokenizer:qwen');
    const big = unit.repeat(Math.ceil(1_000_000 / unit.length));
    for (const family of ['o200k', 'cl100k', 'deepseek', 'qwen'] as const) {
      const started = performance.now();
      const result = countTextTokensDetailed(family, big);
      expect(performance.now() - started).toBeLessThan(250); // ~10–30 ms measured; slack for CI
      expect(result.method).toBe(`tokenizer:${family}+sampled`);
      const perUnit = countTextTokens(family, unit.repeat(20)) / 20;
      expect(Math.abs(result.tokens / (perUnit * (big.length / unit.length)) - 1)).toBeLessThan(0.03);
    }
  });
});

describe('tokenizerFamilyFor', () => {
  it('picks the family per preset and model', () => {
    expect(tokenizerFamilyFor('deepseek', 'deepseek-chat')).toBe('deepseek');
    expect(tokenizerFamilyFor('qwen', 'qwen-plus')).toBe('qwen');
    expect(tokenizerFamilyFor('qwen', 'deepseek-r1')).toBe('deepseek');
    expect(tokenizerFamilyFor('openai-compatible', 'Qwen/Qwen3-32B')).toBe('qwen');
    expect(tokenizerFamilyFor('openai', 'gpt-4o-mini')).toBe('o200k');
    expect(tokenizerFamilyFor('openai', 'gpt-4.1')).toBe('o200k');
    expect(tokenizerFamilyFor('openai', 'o3-mini')).toBe('o200k');
    expect(tokenizerFamilyFor('openai', 'gpt-5')).toBe('o200k');
    expect(tokenizerFamilyFor('openai', 'gpt-4')).toBe('cl100k');
    expect(tokenizerFamilyFor('openai', 'gpt-4-turbo')).toBe('cl100k');
    expect(tokenizerFamilyFor('openai', 'gpt-3.5-turbo')).toBe('cl100k');
    for (const preset of ['glm', 'qianfan', 'doubao', 'hunyuan', 'kimi', 'minimax', 'stepfun', 'spark', 'gemini', 'anthropic']) {
      expect(tokenizerFamilyFor(preset, 'some-model')).toBe('ratio');
    }
  });
});

describe('estimateChatInputTokens', () => {
  const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: '你好，请介绍一下你自己。' }] };

  it('grows with messages and tools, adds per-message overhead, ignores images', () => {
    for (const family of ['deepseek', 'qwen', 'o200k', 'cl100k', 'ratio'] as const) {
      const one = estimateChatInputTokens(base, family);
      expect(one.tokens).toBeGreaterThanOrEqual(countTextTokens(family, '你好，请介绍一下你自己。') + 7);
      const two = estimateChatInputTokens({ ...base, messages: [...base.messages, { role: 'assistant', content: 'I am an assistant.' }] }, family);
      expect(two.tokens).toBeGreaterThan(one.tokens + 4);
      const withCall = estimateChatInputTokens({ ...base, messages: [...base.messages,
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"北京"}' } }] }] }, family);
      expect(withCall.tokens).toBeGreaterThan(one.tokens + 8);
      const withTools = estimateChatInputTokens({ ...base, tools: [{ type: 'function', function: { name: 'get_weather', description: '查询城市天气',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }] }, family);
      expect(withTools.tokens).toBeGreaterThan(one.tokens + 20);
      const withImage = estimateChatInputTokens({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '你好，请介绍一下你自己。' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${'A'.repeat(5000)}` } }] }] }, family);
      expect(withImage.tokens).toBe(one.tokens);
      expect(one.method).toBe(family === 'ratio' ? 'ratio' : `tokenizer:${family}`);
    }
  });
});
