import { describe, expect, it } from 'vitest';
import { loadLlmRouter, type RoutingRecord } from '../../src/router/datasets.js';
import { inputFromPrompt } from '../../src/router/features.js';
import { LinearScorer } from '../../src/router/model.js';
import { fitLogistic } from '../../src/router/train.js';

/** The difficulty target (train.ts `target: 'difficulty'`): 1 − the mean outcome over LLMRouter's 8 models. */
describe('difficulty labels', () => {
  it('LLMRouter records carry the mean outcome of every model the dataset scored', () => {
    const rows = loadLlmRouter('test');
    expect(rows.every((r) => r.meanOutcome !== undefined && r.meanOutcome >= 0 && r.meanOutcome <= 1)).toBe(true);
    // mean outcome is not the routed pair's: some prompts both models of the pair solve are failed by most others
    expect(rows.some((r) => r.meanOutcome! < (r.weak + r.strong) / 2 - 0.2)).toBe(true);
  });

  const prompts = ['What is 2+2?', 'Prove Fermat\'s little theorem.', 'Name a colour.', 'Derive the Black-Scholes equation step by step.', 'Say hi.', 'Solve x^3 - 6x^2 + 11x - 6 = 0 and explain each step.'];
  const record = (prompt: string, i: number, meanOutcome?: number): RoutingRecord => ({ id: `t:${i}`, source: 'llmrouter', task: 't', prompt, weak: 1, strong: 1, ...(meanOutcome === undefined ? {} : { meanOutcome }) });

  it('learns hardness from the mean outcome where a record has one, and the pair\'s gap elsewhere', () => {
    const plain = prompts.map((p, i) => record(p, i));
    // without a mean outcome the difficulty target is the gap target: the same model
    expect(fitLogistic(plain, { target: 'difficulty', epochs: 3 }).weights).toEqual(fitLogistic(plain, { epochs: 3 }).weights);
    // every pair gap is 0, so the gap target learns nothing to tell the prompts apart; the difficulty target
    // learns that the prompts most models fail (odd positions) need the flagship
    const rated = prompts.map((p, i) => record(p, i, i % 2 ? 0.1 : 0.9));
    const gap = fitLogistic(rated, { epochs: 20, hashedRate: 1 });
    const hard = fitLogistic(rated, { epochs: 20, hashedRate: 1, target: 'difficulty' });
    expect(gap.weights).toEqual(fitLogistic(plain, { epochs: 20, hashedRate: 1 }).weights);
    const scorer = new LinearScorer(hard);
    const score = (i: number): number => scorer.scoreInput(inputFromPrompt(prompts[i]!));
    for (const i of [1, 3, 5]) expect(score(i)).toBeGreaterThan(Math.max(score(0), score(2), score(4)));
  });
});
