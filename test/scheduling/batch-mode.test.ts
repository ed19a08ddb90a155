import { describe, expect, it } from 'vitest';
import { placeLine } from '../../src/batch/batch-mode.js';
import { parseConfigText } from '../../src/config/index.js';
import { getPreset } from '../../src/providers/registry.js';

const config = parseConfigText(`
providers:
  - { id: qwen, preset: qwen, apiKey: sk-x, batch: { mode: auto } }
  - { id: deepseek, preset: deepseek, apiKey: sk-x, batch: { mode: auto } }
  - { id: claude, preset: anthropic, apiKey: sk-x }
models:
  - { id: plus, provider: qwen, upstream: qwen-plus }
  - { id: plus-here, provider: qwen, upstream: qwen-plus, batch: { mode: gateway } }
  - { id: nodiscount, provider: qwen, upstream: qwen-plus, price: { input: 1, output: 2 } }
  - { id: flash, provider: deepseek, upstream: deepseek-flash }
  - { id: haiku, provider: claude, upstream: claude-haiku-4-5, batch: { mode: provider } }
  - { id: haiku-default, provider: claude, upstream: claude-haiku-4-5 }
`, 'batch-mode.yaml', {});

const place = (modelId: string, windowHours = 24, privacy = false) => {
  const model = config.models.find((candidate) => candidate.id === modelId);
  const provider = config.providers.find((candidate) => candidate.id === model?.provider);
  return placeLine({ model, provider, preset: provider ? getPreset(provider.preset) : undefined, windowHours, privacy, at: new Date('2026-11-25T12:00:00+08:00') });
};

describe('where a /v1/batches line runs (models[].batch, providers[].batch)', () => {
  it('auto forwards to a provider batch API that is cheaper and whose window fits, with the reason', () => {
    expect(place('plus')).toMatchObject({ forward: true, reason: 'qwen batch API ×0.5', api: { shape: 'openai-files', lineUrl: '/v1/chat/completions', windowHours: 24 } });
    expect(place('plus', 72)).toMatchObject({ forward: true });
  });

  it('auto runs the line in Tidegate when forwarding would not help, and says why', () => {
    expect(place('plus', 8)).toEqual({ forward: false, reason: "run by Tidegate: the completion window 8h is shorter than the provider's 24h" });
    expect(place('flash').forward).toBe(false); // DeepSeek has no batch API: its off-peak price is the substitute
    expect(place('flash').reason).toContain('no batch API');
    expect(place('nodiscount').reason).toContain('no batch discount');
    expect(place('plus', 24, true).reason).toContain('personal-data protection');
  });

  it('the model overrides its provider; the default is gateway; a route is always run here', () => {
    expect(place('plus-here')).toEqual({ forward: false, reason: 'batch mode gateway' });
    expect(place('haiku-default')).toEqual({ forward: false, reason: 'batch mode gateway' });
    expect(place('auto')).toEqual({ forward: false, reason: 'a route picks a model per request' });
  });

  it('provider mode forwards, or refuses with a catalogue error the client can act on', () => {
    expect(place('haiku')).toMatchObject({ forward: true, api: { shape: 'anthropic-message-batches' } });
    expect(() => place('haiku', 8)).toThrow(expect.objectContaining({ code: 'invalid_request', status: 400, message: expect.stringContaining("shorter than the provider's 24h") }));
  });

  it('rejects an unknown batch mode in the config with the allowed values', () => {
    expect(() => parseConfigText('providers:\n  - { id: qwen, preset: qwen, apiKey: x, batch: { mode: always } }\n', 'bad.yaml', {})).toThrow(/"provider" or "gateway" or "auto"/);
  });

  it('the provider-batch example in the README is a valid configuration that forwards both models', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- provider-batch-example -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const example = parseConfigText(block!, 'README.md', { DASHSCOPE_API_KEY: 'sk-a', ANTHROPIC_API_KEY: 'sk-b' });
    expect(example.scheduling.providerBatchPollMs).toBe(60_000);
    for (const model of example.models) {
      const provider = example.providers.find((candidate) => candidate.id === model.provider);
      const placement = placeLine({ model, provider, preset: getPreset(provider!.preset), windowHours: 24, privacy: false, at: new Date('2026-11-25T12:00:00+08:00') });
      expect(placement.forward, model.id).toBe(true);
    }
  });
});
