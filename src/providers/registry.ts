import type { PresetDefinition } from './preset.js';
import { anthropic } from './presets/anthropic.js';
import { deepseek } from './presets/deepseek.js';
import { doubao } from './presets/doubao.js';
import { gemini } from './presets/gemini.js';
import { glm } from './presets/glm.js';
import { hunyuan } from './presets/hunyuan.js';
import { kimi } from './presets/kimi.js';
import { minimax } from './presets/minimax.js';
import { openai } from './presets/openai.js';
import { openaiCompatible } from './presets/openai-compatible.js';
import { qianfan } from './presets/qianfan.js';
import { qwen } from './presets/qwen.js';
import { spark } from './presets/spark.js';
import { stepfun } from './presets/stepfun.js';

/** The one place a provider preset is registered. */
export const presets: ReadonlyMap<string, PresetDefinition> = new Map(
  [deepseek, qwen, doubao, qianfan, kimi, glm, hunyuan, minimax, stepfun, spark, openai, anthropic, gemini, openaiCompatible]
    .map((preset) => [preset.id, preset]),
);

export function presetIds(): string[] {
  return [...presets.keys()];
}

export function getPreset(id: string): PresetDefinition | undefined {
  return presets.get(id);
}
