import type { NumericSpec } from '../spec.js';
import { extractNumber } from './number-extraction.js';
import { fail, pass, quote, type EvaluationInput, type EvaluationResult, type Evaluator } from './types.js';

const show = (value: number): string => String(Math.round(value * 1e6) / 1e6);

/** Passes when |answer − reference| ≤ tolerance (or ≤ tolerance × |reference| with `relative`). */
export function numericTolerance(spec: NumericSpec): Evaluator {
  return {
    description: spec.relative === true ? `numeric within ${show(spec.tolerance * 100)}%` : `numeric within ${show(spec.tolerance)}`,
    binary: true,
    async evaluate({ answer, reference }: EvaluationInput): Promise<EvaluationResult> {
      if (reference === undefined) return fail('no reference answer to compare with');
      const expected = extractNumber(reference);
      if (expected === undefined) return fail(`the reference ${quote(reference)} states no number`);
      const got = extractNumber(answer);
      if (got === undefined) return fail(`the answer ${quote(answer)} states no number`);
      const allowed = spec.relative === true ? spec.tolerance * Math.abs(expected.value) : spec.tolerance;
      const difference = got.value - expected.value;
      // A hair of slack so 0.1 + 0.2 style decimals at the boundary count as within.
      const within = Math.abs(difference) <= allowed + 1e-9;
      const reason = `${show(got.value)} vs reference ${show(expected.value)} (off by ${show(Math.abs(difference))}, allowed ${show(allowed)})`;
      return within ? pass(reason, got.value) : fail(reason, got.value);
    },
  };
}
