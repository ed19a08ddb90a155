import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';
import { rewardOf } from '../../src/experiments/config.js';

const base = `providers:
  - { id: deepseek, preset: deepseek, apiKey: sk-test }
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
metrics:
  accepted: { type: boolean, optimize: max }
  grade_error: { type: float, optimize: min }
scenarios:
  grading: { quality: { metric: accepted, target: 0.8 } }
capture: { scenarios: [grading], routes: [deepseek-flash] }
`;

function problems(experiments: string): string {
  try {
    parseConfigText(`${base}experiments:\n${experiments}`, 'tidegate.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('experiments: config', () => {
  it('fills defaults (the scenario quality metric, 95% confidence, the first arm as incumbent) and freezes the result', () => {
    const config = parseConfigText(`${base}experiments:\n  - name: grader\n    scenario: grading\n    arms: [{ name: flash, model: deepseek-flash }, { name: pro, model: deepseek-v4-pro }]\n`, 'tidegate.yaml', {});
    const [experiment] = config.experiments;
    expect(experiment).toMatchObject({ name: 'grader', metric: 'accepted', level: 'inference', optimize: 'max', confidence: 0.95, minSamplesPerArm: 20, maxSharePerArm: 1, threshold: 'proven', incumbent: 0, goal: 'best-arm' });
    expect(Object.isFrozen(experiment)).toBe(true);
    expect(Object.isFrozen(experiment!.arms[0])).toBe(true);
  });

  it('rejects unknown keys with a suggestion, and broken references with how to fix them', () => {
    expect(problems('  - { name: a, scenario: grading, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }], minSamplePerArm: 5 }\n')).toMatch(/unknown key "minSamplePerArm" in experiments\[0\] \(did you mean "minSamplesPerArm"\?\)/);
    expect(problems('  - { name: a, scenario: grading, arms: [{ name: x, model: deepseek-flash, weight: 1 }, { name: y, model: deepseek-v4-pro }] }\n')).toMatch(/unknown key "weight" in experiments\[0\]\.arms\[0\]/);
    const message = problems(`  - name: a
    scenario: nowhere
    metric: grade_error
    incumbent: z
    maxSharePerArm: 0.3
    arms: [{ name: x, model: missing }, { name: x, model: deepseek-v4-pro }, { name: r, router: ./router.json }]
`);
    expect(message).toContain('unknown scenario "nowhere"');
    expect(message).toContain('unknown model "missing"');
    expect(message).toContain('arm "x" is listed twice');
    expect(message).toContain('a router arm needs the experiment on a route');
    expect(message).toContain('give range: [low, high]');
    expect(message).toContain('unknown arm "z"');
    expect(message).toContain('too small for 3 arms');
    expect(problems('  - { name: a, route: deepseek-flash, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }] }\n')).toContain('is required (a boolean or float metric');
    expect(problems('  - { name: a, route: deepseek-v4-pro, metric: accepted, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }] }\n')).toContain('add "deepseek-v4-pro" to capture.routes');
    expect(problems('  - { name: a, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }], metric: accepted }\n')).toContain('needs scenario: or route:');
    expect(problems('  - { name: a, scenario: grading, confidence: 1.5, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }] }\n')).toContain('experiments[0].confidence');
  });

  it('maps feedback onto rewards in [0, 1], better is higher', () => {
    const config = parseConfigText(`${base}experiments:
  - { name: b, scenario: grading, arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }] }
  - { name: f, scenario: grading, metric: grade_error, range: [0, 20], arms: [{ name: x, model: deepseek-flash }, { name: y, model: deepseek-v4-pro }] }
`, 'tidegate.yaml', {});
    const [boolean, float] = config.experiments;
    expect([rewardOf(boolean!, 1), rewardOf(boolean!, 0), rewardOf(boolean!, 0.5)]).toEqual([1, 0, undefined]);
    // grade_error is minimised: an error of 5 on a 0–20 range is a reward of 0.75; beyond the range it is clipped.
    expect([rewardOf(float!, 5), rewardOf(float!, 40), rewardOf(float!, -3)]).toEqual([0.75, 0, 1]);
  });
});
