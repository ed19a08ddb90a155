import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { limitsCommand } from '../../src/cli/limits-command.js';
import { parseConfigText } from '../../src/config/index.js';
import { modelLimitsFor, PUBLISHED_LIMITS, resolveModelLimits } from '../../src/scheduling/model-limits.js';

const yaml = `
scheduling: { defaultConcurrency: 16 }
providers:
  - { id: deepseek, preset: deepseek, apiKey: x }
  - { id: zhipu, preset: glm, apiKey: x }
  - { id: qwen, preset: qwen, apiKey: x }
models:
  - { id: flash, provider: deepseek, upstream: deepseek-flash }
  - { id: pro, provider: deepseek, upstream: deepseek-v4-pro, limits: { tokensPerMinute: 1000000 } }
  - { id: glm-plus, provider: zhipu, upstream: glm-4-plus }
  - { id: plus, provider: qwen, upstream: qwen-plus }
  - { id: plus-mine, provider: qwen, upstream: qwen-plus, limits: { concurrency: 64 } }
`;
const config = parseConfigText(yaml, 'limits.yaml', {});

describe('providers’ published limits as admission defaults', () => {
  it('applies published figures by upstream model (DeepSeek) or for the whole preset (Zhipu), each with a source', () => {
    expect(modelLimitsFor(config, 'flash')).toEqual({ concurrency: 2_500, tokensPerMinute: undefined });
    expect(modelLimitsFor(config, 'glm-plus')).toEqual({ concurrency: 5, tokensPerMinute: undefined });
    for (const models of Object.values(PUBLISHED_LIMITS)) for (const limit of Object.values(models)) expect(limit.source).toMatch(/\S{8,}/);
  });

  it('config overrides the published figure field by field; unknown stays at the default concurrency with no token limit', () => {
    expect(resolveModelLimits(config, config.models.find((model) => model.id === 'pro'))).toMatchObject({
      concurrency: 500, concurrencySource: 'published', tokensPerMinute: 1_000_000, tokensPerMinuteSource: 'config',
    });
    expect(modelLimitsFor(config, 'plus-mine')).toEqual({ concurrency: 64, tokensPerMinute: undefined });
    expect(resolveModelLimits(config, config.models.find((model) => model.id === 'plus'))).toMatchObject({ concurrency: 16, concurrencySource: 'default', tokensPerMinute: undefined, published: undefined });
  });

  describe('tidegate limits', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'tidegate-limits-'));
      writeFileSync(join(dir, 'tidegate.yaml'), yaml);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function run(args: string[]): Promise<string> {
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
      try {
        expect(await limitsCommand(args)).toBe(0);
      } finally {
        spy.mockRestore();
      }
      return out.join('');
    }

    it('prints each model’s limits and where they come from', async () => {
      const text = await run(['--config', join(dir, 'tidegate.yaml')]);
      expect(text).toMatch(/flash\s+deepseek\s+2500\s+published: api-docs\.deepseek\.com/);
      expect(text).toMatch(/plus-mine\s+qwen\s+64\s+config\s+unlimited/);
      expect(text).toMatch(/plus\s+qwen\s+16\s+default\s+unlimited/);
      const json = JSON.parse(await run(['--config', join(dir, 'tidegate.yaml'), '--json']));
      expect(json.models.find((row: { model: string }) => row.model === 'pro')).toMatchObject({ concurrency: 500, concurrency_source: 'published', tokens_per_minute: 1_000_000, tokens_per_minute_source: 'config' });
    });

    it('--published lists the built-in table', async () => {
      const json = JSON.parse(await run(['--published', '--json']));
      expect(json.published).toEqual(expect.arrayContaining([expect.objectContaining({ preset: 'deepseek', model: 'deepseek-v4-pro', concurrency: 500 })]));
    });
  });
});
