import { describe, expect, it } from 'vitest';
import { dataWithDedup } from '../../src/router/pipeline.js';
import { evaluateRandom, evaluateScores, lengthScores, metricsFromPoints, SortedScores } from '../../src/router/metrics.js';
import { moneyView, oracle, pairedApgrDifference, resampleWeights, scoreCurve, withIntervals } from '../../src/router/evaluate.js';

describe('RouteLLM metrics', () => {
  it('computes points, CPT and APGR on a hand-checked example', () => {
    // 10 prompts, the first 5 gain from strong; a perfect score puts them first
    const weak = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1];
    const strong = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    const perfect = evaluateScores([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], weak, strong);
    expect(perfect.points).toHaveLength(11);
    expect(perfect.points[0]).toEqual({ strongPct: 0, quality: 0.5 });
    expect(perfect.cpt50).toBeCloseTo(25, 6);
    expect(perfect.cpt80).toBeCloseTo(40, 6);
    expect(perfect.apgr).toBeCloseTo(0.75, 6); // AUC = 0.5·(0.5+1)/2 + 0.5·1 = 0.875
    const worst = evaluateScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], weak, strong);
    expect(worst.apgr).toBeCloseTo(0.25, 6);
    // tied edges are deduplicated; the last edge uses s > t (0% strong)
    const tied = new SortedScores([1, 1, 1, 1, 2, 2, 2, 2, 2, 2], weak, strong).points();
    expect(tied.map((p) => p.strongPct)).toEqual([100, 60, 0]);
  });

  it('monotone CPT uses the running maximum without interpolation', () => {
    const m = metricsFromPoints([{ strongPct: 0, quality: 0 }, { strongPct: 30, quality: 0.6 }, { strongPct: 60, quality: 0.4 }, { strongPct: 100, quality: 1 }], 0, 1);
    expect(m.cpt50).toBeCloseTo(25, 6);
    expect(m.cpt50Monotone).toBe(30);
    expect(m.cpt80Monotone).toBe(100);
  });

  it('reproduces the published baselines (routing.md)', () => {
    const { data } = dataWithDedup();
    const sets = { mmlu: [data.mmlu, 0.584, 1.29], gsm8k: [data.gsm8k, 0.599, 1.13], mt: [data.mtBench, 0.556, 0.96], llm: [data.llmTest, 0.571, 1.47] } as const;
    for (const [name, [set, length, orc]] of Object.entries(sets)) {
      const weak = set.map((r) => r.weak), strong = set.map((r) => r.strong);
      expect(evaluateScores(lengthScores(set.map((r) => r.prompt)), weak, strong).apgr, name).toBeCloseTo(length, 2);
      expect(Math.abs(evaluateRandom(weak, strong).apgr - 0.5), name).toBeLessThan(0.03);
      const o = oracle(weak, strong);
      const e = o.extremes();
      // LLMRouter: the published 1.47 exceeds this pair's attainable maximum (1.458); allow 0.015
      expect(Math.abs(metricsFromPoints(o.points(), e.rWeak, e.rStrong).apgr - orc), name).toBeLessThan(name === 'llm' ? 0.015 : 0.01);
    }
  }, 60_000);

  it('bootstrap intervals bracket the estimate and repeat with the seed', () => {
    const { data } = dataWithDedup();
    const set = data.gsm8k;
    const weak = set.map((r) => r.weak), strong = set.map((r) => r.strong);
    const curve = scoreCurve(lengthScores(set.map((r) => r.prompt)), weak, strong);
    const a = withIntervals(curve, resampleWeights(set.length, 200));
    const b = withIntervals(curve, resampleWeights(set.length, 200));
    expect(a.ci.apgr).toEqual(b.ci.apgr);
    expect(a.ci.apgr[0]).toBeLessThan(a.value.apgr);
    expect(a.ci.apgr[1]).toBeGreaterThan(a.value.apgr);
  });

  it('paired APGR difference: zero against itself, and a router that knows the outcomes beats length with the interval above 0', () => {
    const { data } = dataWithDedup();
    const set = data.gsm8k;
    const weak = set.map((r) => r.weak), strong = set.map((r) => r.strong);
    const length = scoreCurve(lengthScores(set.map((r) => r.prompt)), weak, strong);
    const w = resampleWeights(set.length, 200);
    expect(pairedApgrDifference(length, length, w)).toEqual({ value: 0, ci: [0, 0] });
    // the true gap, ties broken by length: far better than length on every resample
    const informed = scoreCurve(lengthScores(set.map((r) => r.prompt)).map((s, i) => s / 1e5 + (strong[i]! - weak[i]!)), weak, strong);
    const d = pairedApgrDifference(informed, length, w);
    expect(d.value).toBeGreaterThan(0.1);
    expect(d.ci[0]).toBeGreaterThan(0);
    expect(d.ci[1]).toBeGreaterThan(d.value);
  });

  it('money view counts the weak model and picks the cheapest point that keeps quality', () => {
    const weak = [0, 1, 1, 1], strong = [1, 1, 1, 1];
    const [at95, at75] = moneyView([4, 3, 2, 1], weak, strong, { weak: 1, strong: 10 }, [0.95, 0.75]);
    expect(at95!.strongShare).toBe(0.25);
    expect(at95!.costSaved).toBeCloseTo(1 - (10 + 3) / 40, 9);
    expect(at75!.strongShare).toBe(0);
  });
});
