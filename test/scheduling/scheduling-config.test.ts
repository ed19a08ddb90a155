import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const base = `providers:
  - id: deepseek
    preset: deepseek
models:
  - id: deepseek-flash
    provider: deepseek
`;

function problems(text: string): ConfigError {
  try {
    parseConfigText(text, 'tidegate.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('scheduling configuration', () => {
  it('reads scenarios, model limits and scheduling with defaults, frozen', () => {
    const config = parseConfigText(`${base}    limits: { concurrency: 4, tokensPerMinute: 100000 }
scenarios:
  research: { priority: deferrable, deadlineHours: 8 }
  office: { priority: standard }
  chat: { priority: interactive }
scheduling: { valleyUtilisation: 0.3 }
`, 'tidegate.yaml', {});
    expect(config.scenarios).toEqual({ research: { priority: 'deferrable', deadlineHours: 8 }, office: { priority: 'standard' }, chat: { priority: 'interactive' } });
    expect(config.models[0]!.limits).toEqual({ concurrency: 4, tokensPerMinute: 100_000 });
    expect(config.scheduling).toMatchObject({ valleyUtilisation: 0.3, queueDepth: 256, defaultDeadlineHours: 24 });
    expect(Object.isFrozen(config.scenarios.research)).toBe(true);
  });

  it('rejects unknown keys with line numbers and suggestions', () => {
    const error = problems(`${base}scenarios:
  research: { priority: deferrable, deadline: 8 }
scheduling:
  queueDepht: 3
`);
    expect(error.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ line: 8, path: 'scenarios.research.deadline', message: expect.stringMatching(/^unknown key "deadline" in scenarios\.research \(allowed keys: priority, deadlineHours\b/) }),
      expect.objectContaining({ line: 10, path: 'scheduling.queueDepht', message: expect.stringContaining('did you mean "queueDepth"') }),
    ]));
  });

  it('rejects a bad priority class and bad limits', () => {
    const error = problems(`${base}    limits: { concurrency: 0 }
scenarios:
  research: { priority: urgent }
`);
    expect(error.message).toContain('models[0].limits.concurrency: must be at least 1');
    expect(error.message).toMatch(/scenarios\.research\.priority: expected "interactive" or "standard" or "deferrable", got string "urgent"/);
  });
});

describe('README', () => {
  it('the scheduling example in the README is a valid configuration', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- scheduling-example -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const config = parseConfigText(`providers:\n  - { id: deepseek, preset: deepseek }\n${block!}`, 'README.md', {});
    expect(config.scenarios.research).toEqual({ priority: 'deferrable', deadlineHours: 8 });
    expect(config.models.find((model) => model.id === 'deepseek-flash')!.limits).toEqual({ concurrency: 32, tokensPerMinute: 2_000_000 });
  });
});
