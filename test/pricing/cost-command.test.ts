import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// `tidegate cost` (the built CLI) against calculations done by hand from providers.md (§4–§6).
const bin = resolve(__dirname, '../../bin/tidegate.js');
const dir = mkdtempSync(join(tmpdir(), 'tidegate-cost-'));
const config = join(dir, 'tidegate.yaml');
writeFileSync(config, `providers:
  - { id: local, preset: openai-compatible, baseUrl: "http://127.0.0.1:9/v1" }
models:
  - { id: llama-local, provider: local, price: { gpuHourCny: 36, tokensPerSecond: 1000 } }
`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cost(...args: string[]): Promise<any> {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'cost', '--config', config, '--json', ...args], { env: { ...process.env, TZ: 'UTC' } });
  return JSON.parse(stdout);
}

const M = '1000000';

describe('tidegate cost reproduces hand calculations', () => {
  it.each([
    // [what, args, expected CNY, expected tariff]
    ['qwen-vl-plus before the Jan 2025 cut: 1,000 tokens at ¥0.008/1k', ['--model', 'qwen-vl-plus', '--input', '1000', '--at', '2024-12-20'], '0.008', 'standard'],
    ['qwen-vl-plus after the cut: 1,000 tokens at ¥0.0015/1k', ['--model', 'qwen-vl-plus', '--input', '1000', '--at', '2025-01-20'], '0.0015', 'standard'],
    ['qwen-max 2024-10 (¥20/M in)', ['--model', 'qwen-max', '--input', M, '--at', '2024-10-01T12:00'], '20', 'standard'],
    ['qwen-max 2025-02 (¥2.4/M in)', ['--model', 'qwen-max', '--input', M, '--at', '2025-02-01T12:00'], '2.4', 'standard'],
    ['deepseek-v4-pro, Monday 10:00 Beijing: peak 9 + 27', ['--model', 'deepseek-v4-pro', '--input', M, '--output', M, '--at', '2026-11-30T10:00'], '36', 'peak'],
    ['deepseek-v4-pro, Monday 12:30 (lunch): off-peak', ['--model', 'deepseek-v4-pro', '--input', M, '--output', M, '--at', '2026-11-30T12:30'], '18', 'off-peak'],
    ['deepseek-v4-pro, Saturday 10:00: off-peak', ['--model', 'deepseek-v4-pro', '--input', M, '--output', M, '--at', '2026-11-28T10:00'], '18', 'off-peak'],
    ['deepseek-v4-pro, 1 October 10:00 (National Day): off-peak', ['--model', 'deepseek-v4-pro', '--input', M, '--output', M, '--at', '2026-10-01T10:00'], '18', 'off-peak'],
    ['deepseek-v4-pro, Saturday 10 Oct 2026 (make-up working day): peak', ['--model', 'deepseek-v4-pro', '--input', M, '--output', M, '--at', '2026-10-10T10:00'], '36', 'peak'],
    ['deepseek-v4-pro in UTC: 02:00Z Monday = 10:00 Beijing', ['--model', 'deepseek-v4-pro', '--input', M, '--at', '2026-11-30T02:00:00Z'], '9', 'peak'],
    ['deepseek-flash cache hits at 2% of input (peak)', ['--model', 'deepseek-flash', '--input', M, '--cached', '900000', '--at', '2026-11-30T15:00'], '0.236', 'peak'],
    ['deepseek-chat, 2025 night discount (V3 50%)', ['--model', 'deepseek-chat', '--input', M, '--at', '2025-03-03T02:00'], '1', 'night'],
    ['deepseek-reasoner, 2025 night discount (R1 25%)', ['--model', 'deepseek-reasoner', '--input', M, '--at', '2025-03-03T02:00'], '1', 'night'],
    ['deepseek-chat, 2025 daytime', ['--model', 'deepseek-chat', '--input', M, '--at', '2025-03-03T10:00'], '2', 'standard'],
    ['doubao-seed-1.6 (≤32K): 0.8 + 8', ['--model', 'doubao-seed-1-6-250615', '--input', M, '--output', M], '8.8', 'standard'],
    ['ERNIE Speed before it became free', ['--model', 'ernie-speed-128k', '--input', M, '--at', '2024-05-01'], '4', 'standard'],
    ['ERNIE Speed free since 2024-05-21', ['--model', 'ernie-speed-128k', '--input', M, '--at', '2024-06-01'], '0', 'standard'],
    ['moonshot-v1-8k before 2025-04-09: 12 + 12', ['--model', 'moonshot-v1-8k', '--input', M, '--output', M, '--at', '2025-01-01'], '24', 'standard'],
    ['moonshot-v1-8k after: 2 + 10', ['--model', 'moonshot-v1-8k', '--input', M, '--output', M, '--at', '2025-05-01'], '12', 'standard'],
    ['GLM-4-Plus 2024: 50 + 50', ['--model', 'glm-4-plus', '--input', M, '--output', M, '--at', '2024-12-01'], '100', 'standard'],
    ['GLM-4-Plus after 2025-04-23: 5 + 5', ['--model', 'glm-4-plus', '--input', M, '--output', M, '--at', '2025-05-01'], '10', 'standard'],
    ['hunyuan-TurboS: 0.8 + 2', ['--model', 'hunyuan-turbos-latest', '--input', M, '--output', M], '2.8', 'standard'],
    ['MiniMax-M3 at $0.30 × 7.2', ['--model', 'MiniMax-M3', '--input', M], '2.16', 'standard'],
    ['StepFun step-3.5-flash: 0.7 + 2.1', ['--model', 'step-3.5-flash', '--input', M, '--output', M], '2.8', 'standard'],
    ['Spark 4.0Ultra', ['--model', '4.0Ultra', '--input', M], '70', 'standard'],
    ['gpt-4.1 at $2 + $8, ¥7.2/$', ['--model', 'gpt-4.1', '--input', M, '--output', M], '72', 'standard'],
    ['gpt-4.1 through the batch API (50%)', ['--model', 'gpt-4.1', '--input', M, '--output', M, '--batch'], '36', 'batch'],
    ['claude-haiku-4-5 cache read at $0.10', ['--model', 'claude-haiku-4-5', '--input', M, '--cached', M], '0.72', 'standard'],
    ['gemini-2.5-flash output at $2.50', ['--model', 'gemini-2.5-flash', '--output', M], '18', 'standard'],
    ['self-hosted at ¥36/GPU-hour and 1,000 tokens/s = ¥10/M', ['--model', 'llama-local', '--input', M], '10', 'standard'],
  ])('%s', async (_what, args, expected, tariff) => {
    const result = await cost(...(args as string[]));
    expect(result.cost_cny).toBe(expected);
    expect(result.tariff).toBe(tariff);
  });

  it('the newspaper check: Qwen-VL-Plus images per yuan in January 2025 (≈557 at 720P, ≈1,705 at 480P)', async () => {
    const result = await cost('--model', 'qwen-vl-plus', '--image', '1280x720', '--image', '640x480', '--at', '2025-01-20');
    expect(result.images).toMatchObject([
      { size: '1280x720', tokens: 1196, images_per_yuan: 557 },
      { size: '640x480', tokens: 391, images_per_yuan: 1705 },
    ]);
    expect(result.tokens.image).toBe(1196 + 391);
  });

  it.each([
    ['gpt-4.1', '1280x720', 1105],
    ['gpt-4.1', '640x480', 425],
    ['claude-haiku-4-5', '1280x720', 1229],
    ['claude-haiku-4-5', '854x480', 547],
    ['doubao-seed-1-6-250615', '1280x720', 1176],
    ['doubao-seed-1-6-250615', '640x480', 392],
    ['qwen-vl-max', '854x480', 510],
  ])('%s counts a %s image as %i tokens', async (model, size, tokens) => {
    const result = await cost('--model', model, '--image', size);
    expect(result.images[0].tokens).toBe(tokens);
  });

  it('low detail is 85 tokens on OpenAI tiles', async () => {
    const result = await cost('--model', 'gpt-4.1', '--image', '4000x3000', '--detail', 'low');
    expect(result.images[0].tokens).toBe(85);
  });
});
