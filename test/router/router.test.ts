import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadRouter, thresholdForTarget } from '../../src/router/index.js';
import { trainRouter } from '../../src/router/pipeline.js';
import { routerScoreLines } from '../../src/cli/router-score.js';
import { applyThreshold, calibrationCurve, chooseThreshold } from '../../src/router/calibrate.js';
import { LinearScorer } from '../../src/router/model.js';
import { featurise } from '../../src/router/train.js';
import { statSync } from 'node:fs';
import { DEFAULT_ARTIFACT } from '../../src/router/paths.js';

describe('shipped router artifact', () => {
  it('loads, is small, and scores deterministically', () => {
    expect(statSync(DEFAULT_ARTIFACT).size).toBeLessThan(2_000_000);
    const router = loadRouter();
    expect(router.version).toBe('router-v2');
    const msgs = [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Prove that there are infinitely many primes.' }];
    const a = router.score(msgs);
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(1);
    expect(loadRouter().score(msgs)).toBe(a);
    expect(router.score([{ role: 'user', content: [{ type: 'text', text: 'Prove that there are infinitely many primes.' }] }])).not.toBeNaN();
    expect(router.score([{ role: 'user', content: '请证明存在无穷多个素数，并给出详细步骤。' }])).not.toBeNaN();
    expect(router.score([])).not.toBeNaN();
  });

  it('gives thresholds for quality targets from its calibration data', () => {
    const router = loadRouter();
    const t95 = thresholdForTarget(router, 0.95);
    const t99 = thresholdForTarget(router, 0.99);
    expect(t95.expectedQualityKept).toBeGreaterThanOrEqual(0.95);
    expect(t99.expectedFlagshipShare).toBeGreaterThanOrEqual(t95.expectedFlagshipShare);
    expect(t99.threshold).toBeLessThanOrEqual(t95.threshold);
  });

  it('scores a 10k-token prompt (its speed is measured by npm run bench, not here)', () => {
    const router = loadRouter();
    const para = 'Consider the function f(x) = 3x^2 + 2x - 7 and explain, step by step, why its minimum lies at x = -1/3. ';
    const msgs = [{ role: 'system', content: 'Be precise.' }, { role: 'user', content: para.repeat(450) }];
    const score = router.score(msgs);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1);
    expect(router.score(msgs)).toBe(score);
  });

  it('scores JSONL from the score command', async () => {
    const input = Readable.from(['{"id":"a","prompt":"What is 2+2?"}\n', '{"id":"b","messages":[{"role":"user","content":"What is 2+2?"}]}\n']);
    let out = '';
    const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
    expect(await routerScoreLines([], input, sink)).toBe(0);
    const rows = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.id)).toEqual(['a', 'b']);
    expect(rows[0].score).toBe(rows[1].score);
  });
});

describe('small training run and calibration', () => {
  it('trains deterministically and its threshold hits the target share on other held-aside data', () => {
    const opts = { include: ['gsm8k', 'mt-bench', 'llmrouter'] as const, train: { epochs: 2 } };
    const a = trainRouter({ include: [...opts.include], train: opts.train });
    const b = trainRouter({ include: [...opts.include], train: opts.train });
    expect(a.artifact.weights).toEqual(b.artifact.weights);
    expect(a.artifact.calibration.points.length).toBeGreaterThan(20);
    const scorer = new LinearScorer(a.artifact);
    const held = a.heldAside;
    const scores = featurise(held).map((v) => 1 / (1 + Math.exp(-scorer.logit(v))));
    const half = Math.floor(held.length / 2);
    const fit = calibrationCurve(scores.slice(0, half), held.slice(0, half).map((r) => r.weak), held.slice(0, half).map((r) => r.strong));
    const choice = chooseThreshold(fit, 0.95);
    const other = applyThreshold(scores.slice(half), held.slice(half).map((r) => r.weak), held.slice(half).map((r) => r.strong), choice.threshold);
    console.log(`calibration: expected share ${choice.expectedFlagshipShare.toFixed(3)}, other half ${other.flagshipShare.toFixed(3)}, quality kept ${other.qualityKept.toFixed(3)}`);
    expect(Math.abs(other.flagshipShare - choice.expectedFlagshipShare)).toBeLessThan(0.05);
    expect(other.qualityKept).toBeGreaterThan(0.93);
  }, 120_000);
});
