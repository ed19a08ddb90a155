import { describe, expect, it } from 'vitest';
import { PromptCacheShaper } from '../../src/cache/provider/prompt-cache-shaping.js';
import type { ChatRequest } from '../../src/canonical/chat.js';
import { getPreset } from '../../src/providers/registry.js';
import { chatRequestToMessages } from '../../src/translate/anthropic-outbound.js';

const longSystem = `你是一名严谨的法律助理。${'Follow the firm style guide in every answer. '.repeat(150)}`;
const request = (system: string, user = 'Summarise clause 4.'): ChatRequest => ({ model: 'qwen-plus', messages: [{ role: 'system', content: system }, { role: 'user', content: user }] });
const qwen = getPreset('qwen')!;
const openai = getPreset('openai')!;
const deepseek = getPreset('deepseek')!;

describe('provider context-cache shaping', () => {
  it('marks a long system prompt for explicit caching from its second sighting, keeping its bytes', () => {
    const shaper = new PromptCacheShaper();
    const first = shaper.shape(request(longSystem), qwen, 'key:a');
    expect(JSON.stringify(first)).not.toContain('cache_control');
    const second = shaper.shape(request(longSystem, 'Now clause 5.'), qwen, 'key:a');
    expect(second.messages[0]!.content).toEqual([{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral' } }]);
    expect(second.messages[1]).toEqual({ role: 'user', content: 'Now clause 5.' });
  });

  it('leaves short system prompts, client markers and providers without explicit caching alone', () => {
    const shaper = new PromptCacheShaper();
    for (let i = 0; i < 2; i++) expect(shaper.shape(request('Be brief.'), qwen, 'key:a')).toEqual(request('Be brief.'));
    const marked: ChatRequest = { model: 'qwen-plus', messages: [{ role: 'system', content: [{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral', ttl: '1h' } }] }, { role: 'user', content: 'x' }] };
    for (let i = 0; i < 2; i++) expect(shaper.shape(marked, qwen, 'key:a')).toEqual(marked);
    for (let i = 0; i < 2; i++) expect(shaper.shape(request(longSystem), deepseek, 'key:a')).toEqual(request(longSystem));
  });

  it('adds a prompt_cache_key per tenant and prefix for OpenAI, and keeps one the client set', () => {
    const shaper = new PromptCacheShaper();
    const a = shaper.shape(request('You are a helpful assistant.'), openai, 'key:a');
    const again = shaper.shape(request('You are a helpful assistant.', 'Another question'), openai, 'key:a');
    const otherTenant = shaper.shape(request('You are a helpful assistant.'), openai, 'key:b');
    expect(a.prompt_cache_key).toMatch(/^tg-[0-9a-f]{32}$/);
    expect(again.prompt_cache_key).toBe(a.prompt_cache_key);
    expect(otherTenant.prompt_cache_key).not.toBe(a.prompt_cache_key);
    expect(shaper.shape({ ...request('x'), prompt_cache_key: 'mine' }, openai, 'key:a').prompt_cache_key).toBe('mine');
  });

  it('carries the marker into an Anthropic system block', () => {
    const shaper = new PromptCacheShaper();
    const anthropic = getPreset('anthropic')!;
    shaper.shape(request(longSystem), anthropic, 'key:a');
    const shaped = shaper.shape(request(longSystem), anthropic, 'key:a');
    const { body } = chatRequestToMessages(shaped, 'claude-sonnet-4-5');
    expect(body.system).toEqual([{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral' } }]);
  });
});
