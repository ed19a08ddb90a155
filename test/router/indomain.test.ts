import { describe, expect, it } from 'vitest';
import type { RoutingRecord } from '../../src/router/datasets.js';
import { routerEvalCommand } from '../../src/router/cli.js';
import { heldAsideRest, runEval } from '../../src/router/eval.js';
import { empiricalBayesShrink, fitInDomain, taskPrior } from '../../src/router/indomain.js';
import { evaluateScores } from '../../src/router/metrics.js';
import { LinearScorer } from '../../src/router/model.js';
import { dataWithDedup, labelSample, outOfDomainRouter, trainInDomain } from '../../src/router/pipeline.js';
import { featurise, fitEnsemble } from '../../src/router/train.js';

/** APGR of an artifact on records; `withTask`: the task indicator is present (in-domain artifacts only). */
const apgrOf = (artifact: ReturnType<typeof fitInDomain>, records: RoutingRecord[], withTask: boolean): number => {
  const scorer = new LinearScorer(artifact);
  return evaluateScores(featurise(records, withTask).map((v) => scorer.logit(v)), records.map((r) => r.weak), records.map((r) => r.strong)).apgr;
};

/** A quick general router (two epochs, no MMLU): enough to exercise the stack without the full training. */
function smallGeneral() {
  const { data } = dataWithDedup();
  return fitEnsemble([...data.gsm8k, ...data.mtBench], {
    epochs: 2, seed: 7, components: [{ name: 'dense', weight: 1, options: { hashedRate: 0, centerByTask: true } }], lengthWeight: 1,
  });
}

describe('in-domain router (task prior + general router + n-gram residual)', () => {
  it('never trains on the items it is scored on, exact or near duplicates included', () => {
    const { dedup } = dataWithDedup();
    const run = trainInDomain({ source: 'mmlu', n: 300, seed: 7, general: smallGeneral() });
    const ids = (run.artifact.training.inDomain as { labelIds: string[] }).labelIds;
    expect(ids).toEqual(labelSample('mmlu', 300, 7).map((r) => r.id));
    const rest = heldAsideRest('mmlu', run.labels);
    const labelGroups = new Set(run.labels.map((r) => dedup.group.get(r.id)));
    expect(rest.some((r) => ids.includes(r.id) || labelGroups.has(dedup.group.get(r.id)))).toBe(false);
    expect(rest.length).toBeLessThanOrEqual(dataWithDedup().data.mmlu.length - 300);
    // the fit reads the labels and nothing else: the same labels give the same weights
    const again = fitInDomain(run.general, run.labels.map((r) => ({ ...r })), { seed: 7 });
    expect(again.weights).toEqual(run.artifact.weights);
  }, 60_000);

  it('picks its settings by cross-validation inside the labels and records them', () => {
    const run = trainInDomain({ source: 'mmlu', n: 300, seed: 8, general: smallGeneral() });
    const c = run.artifact.training.inDomain as { folds: number; shrink: number; generalWeight: number; textWeight: number; criterion: string };
    expect(c.folds).toBe(5);
    expect(c.criterion).toBe('correlation');
    expect(c.shrink).toBeGreaterThanOrEqual(10);
    expect(c.generalWeight).toBeGreaterThan(0);
    expect(c.textWeight).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('shrinks a task prior hard when tasks look alike and little when they differ', () => {
    const rec = (task: string, strong: number, weak: number, i: number): RoutingRecord => ({ id: `t:${task}:${i}`, source: 'mmlu', task, prompt: `${task} ${i}`, strong, weak });
    const alike = ['a', 'b', 'c', 'd'].flatMap((t) => Array.from({ length: 40 }, (_, i) => rec(t, i % 3 === 0 ? 1 : 0, 0, i)));
    expect(empiricalBayesShrink(alike)).toBe(1000);
    const differ = ['a', 'b', 'c', 'd'].flatMap((t, k) => Array.from({ length: 40 }, (_, i) => rec(t, i % 4 < k ? 1 : 0, 0, i)));
    expect(empiricalBayesShrink(differ)).toBeLessThan(20);
    const p = taskPrior(differ, 10);
    expect(p.value('d')).toBeGreaterThan(p.value('a'));
    expect(p.value('never-seen')).toBe(0);
  });

  it('the learning curve reports the real in-domain eval, and 1,500 MMLU labels beat none', () => {
    const report = runEval({ benchmarks: [], curve: [0, 1500], curveSeeds: [7], resamples: 100 });
    const [none, many] = report.learningCurve;
    // recompute the 1,500-label point outside runEval: same labels, same general router, same held-aside rest
    const general = outOfDomainRouter('mmlu', 7);
    const run = trainInDomain({ source: 'mmlu', n: 1500, seed: 7, general });
    const rest = heldAsideRest('mmlu', run.labels);
    expect(many!.heldAside).toBe(rest.length);
    expect(many!.perSeed[0]).toBeCloseTo(apgrOf(run.artifact, rest, true), 10);
    expect(none!.perSeed[0]).toBeCloseTo(apgrOf(general, dataWithDedup().data.mmlu, false), 10);
    console.log(`in-domain curve, seed 7: 0 labels ${none!.apgr.toFixed(3)}, 1,500 labels ${many!.apgr.toFixed(3)} [${many!.ci.map((x) => x.toFixed(3)).join(', ')}]`);
    expect(many!.apgr).toBeGreaterThan(none!.apgr + 0.03);
    expect(many!.ci[0]).toBeLessThan(many!.apgr);
    expect(many!.ci[1]).toBeGreaterThan(many!.apgr);
  }, 240_000);

  it('router eval refuses an unknown benchmark or curve mode instead of scoring something else', async () => {
    expect(await routerEvalCommand(['--benchmark', 'none'])).toBe(2);
    expect(await routerEvalCommand(['--curve-mode', 'subject'])).toBe(2);
  });
});
