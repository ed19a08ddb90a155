import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const models = `
providers: [{ id: deepseek, preset: deepseek, apiKey: sk-x }]
models: [{ id: deepseek-flash, provider: deepseek, tier: light }, { id: deepseek-v4-pro, provider: deepseek, tier: flagship }]
`;
const problems = (text: string): string[] => {
  try {
    parseConfigText(text + models, 'shadow.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.message);
    throw error;
  }
  return [];
};

describe('capture.shadow in the config', () => {
  it('is off by default and reads a share, an llm_judge spec, the flagship and defaults', () => {
    expect(parseConfigText(models, 'shadow.yaml', {}).flywheel.capture.shadow).toBeUndefined();
    const config = parseConfigText(`capture:\n  shadow: { share: 0.05, judge: { kind: llm-judge, model: deepseek-v4-pro } }\n${models}`, 'shadow.yaml', {});
    expect(config.flywheel.capture.shadow).toEqual({ share: 0.05, judge: { kind: 'llm_judge', model: 'deepseek-v4-pro' }, flagship: undefined, deadlineHours: 24, judgeIntervalMs: 60_000 });
  });

  it('needs a judge of kind llm_judge, a share from 0 to 1 and a known flagship model', () => {
    expect(problems('capture:\n  shadow: { share: 0.05, judge: { kind: exact } }\n').join('\n')).toContain('kind llm_judge');
    expect(problems('capture:\n  shadow: { share: 2, judge: { kind: llm_judge, model: deepseek-v4-pro } }\n')).not.toEqual([]);
    expect(problems('capture:\n  shadow: { share: 0.1, flagship: gpt-9, judge: { kind: llm_judge, model: deepseek-v4-pro } }\n').join('\n')).toContain('unknown model "gpt-9"');
  });

  it('reads the README example', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- flywheel-shadow -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(parseConfigText(block + models, 'README.md', {}).flywheel.capture.shadow).toMatchObject({ share: 0.05, judge: { kind: 'llm_judge', model: 'deepseek-v4-pro' } });
  });
});
