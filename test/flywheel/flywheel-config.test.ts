import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const models = `
providers: [{ id: deepseek, preset: deepseek, apiKey: sk-x }]
models: [{ id: deepseek-flash, provider: deepseek }]
`;
const problems = (text: string): string[] => {
  try {
    parseConfigText(text + models, 'flywheel.yaml', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => problem.message);
    throw error;
  }
  return [];
};

describe('capture, metrics and scenario quality in the config', () => {
  it('applies defaults: nothing captured, 30-day content and 180-day metadata retention, comment and demonstration built in', () => {
    const { flywheel } = parseConfigText(models, 'flywheel.yaml', {});
    expect(flywheel.capture).toMatchObject({ all: false, routes: {}, scenarios: {}, keys: {}, retentionMs: 30 * 86_400_000, metadataRetentionMs: 180 * 86_400_000 });
    expect(Object.keys(flywheel.metrics)).toEqual(['comment', 'demonstration']);
  });

  it('reads opt-ins as lists or with their own retention, metrics, and scenario quality bars next to scheduling defaults', () => {
    const config = parseConfigText(`
capture:
  retentionDays: 14
  scenarios: { grading: { retentionDays: 3 }, support: {} }
  routes: [deepseek-flash]
metrics:
  grade_error: { type: float, optimize: min }
scenarios:
  grading:
    priority: deferrable
    quality: { metric: grade_error, target: 5, evaluator: { kind: numeric, tolerance: 5 } }
${models}`, 'flywheel.yaml', {});
    expect(config.flywheel.capture.scenarios).toEqual({ grading: 3 * 86_400_000, support: 14 * 86_400_000 });
    expect(config.flywheel.capture.routes).toEqual({ 'deepseek-flash': 14 * 86_400_000 });
    expect(config.flywheel.metrics['grade_error']).toEqual({ type: 'float', optimize: 'min', level: 'inference' });
    expect(config.flywheel.quality['grading']).toEqual({ metric: 'grade_error', target: 5, evaluator: { kind: 'numeric', tolerance: 5 } });
    expect(config.scenarios['grading']).toEqual({ priority: 'deferrable' });
    expect(Object.isFrozen(config.flywheel.capture.scenarios)).toBe(true);
  });

  it('accepts every evaluator kind and says what is wrong with a bad one', () => {
    for (const evaluator of ['{ kind: exact }', '{ kind: regex, pattern: "^\\\\d+$" }', '{ kind: json-schema, schema: { type: object } }', '{ kind: llm-judge, model: deepseek-flash, scale: { min: 1, max: 10 } }']) {
      expect(problems(`metrics: { ok: { type: boolean, optimize: max } }\nscenarios: { s: { quality: { metric: ok, target: 0.9, evaluator: ${evaluator} } } }\n`), evaluator).toEqual([]);
    }
    expect(problems('metrics: { ok: { type: boolean, optimize: max } }\nscenarios: { s: { quality: { metric: ok, target: 0.9, evaluator: { kind: regex, pattern: "(" } } } }\n').join()).toMatch(/not a valid regular expression/);
    expect(problems('metrics: { ok: { type: boolean, optimize: max } }\nscenarios: { s: { quality: { metric: ok, target: 0.9, evaluator: { kind: vibes } } } }\n')).toHaveLength(1);
  });

  it('hands `tidegate eval run` evaluators it accepts unchanged (src/evaluation/spec.ts)', async () => {
    const { parseEvaluatorSpec } = await import('../../src/evaluation/spec.js');
    const evaluators = [
      '{ kind: exact, caseSensitive: true, whitespace: false }', '{ kind: regex, pattern: "^\\\\d+$", mustMatch: true }', '{ kind: json_schema, schema: { type: object } }',
      '{ kind: numeric, tolerance: 5 }', '{ kind: llm-judge, model: deepseek-flash, rubric: "intent?", scale: { min: 0, max: 10 }, passAt: 0.7 }',
    ];
    for (const evaluator of evaluators) {
      const config = parseConfigText(`metrics: { ok: { type: boolean, optimize: max } }\nscenarios: { s: { quality: { metric: ok, target: 0.9, evaluator: ${evaluator} } } }\n${models}`, 'e.yaml', {});
      const spec = config.flywheel.quality['s']!.evaluator;
      expect(() => parseEvaluatorSpec(spec), evaluator).not.toThrow();
    }
  });

  it('rejects unknown metrics, reserved names, unknown routes and unknown keys, with where they are', () => {
    expect(problems('scenarios: { s: { quality: { metric: stars, target: 4 } } }\n').join()).toMatch(/scenarios\.s\.quality\.metric: unknown metric "stars"/);
    expect(problems('metrics: { comment: { type: boolean, optimize: max } }\n').join()).toMatch(/built-in metric/);
    expect(problems('metrics: { m: { type: integer, optimize: max } }\n').join()).toMatch(/"boolean" or "float"/);
    expect(problems('capture: { routes: [deepseek-flsh] }\n').join()).toMatch(/unknown route or model "deepseek-flsh"/);
    expect(problems('capture: { retentionDay: 3 }\n').join()).toMatch(/unknown key "retentionDay".*retentionDays/);
  });
});
