import { describe, expect, it } from 'vitest';
import { checkArithmetic, evaluate } from '../../src/cascade/arithmetic-verifier.js';
import { evaluateArithmeticVerifier } from '../../src/cascade/verifier-eval.js';

describe('arithmetic verifier', () => {
  it('evaluates with precedence', () => {
    expect(evaluate('2 + 3 * 4')).toBe(14);
    expect(evaluate('$1,200 / 4 - 50')).toBe(250);
    expect(evaluate('6 × 7')).toBe(42);
  });

  it('accepts correct worked answers and doubts wrong sums', () => {
    expect(checkArithmetic('She has 16 - 3 = 13 eggs, sells 9 * $2 = $<<9*2=18>>18.\n#### 18').doubt).toBe(false);
    expect(checkArithmetic('So 12 * 4 = 46 apples.').doubt).toBe(true);
    expect(checkArithmetic('It takes <<5/2=2.5>>2.5 bolts').doubt).toBe(false);
    expect(checkArithmetic('That is 1/3 = 0.33 of it').doubt).toBe(false); // rounding its decimals imply
    expect(checkArithmetic('I am not sure.').doubt).toBe(true);
  });

  it('measured on GSM8K: escalating doubted Mixtral answers recovers more of the gap than random escalation', () => {
    const result = evaluateArithmeticVerifier();
    expect(result.questions).toBe(1307);
    expect(result.weakAccuracy).toBeCloseTo(0.6373, 3);
    expect(result.strongAccuracy).toBeCloseTo(0.8577, 3);
    // Doubted answers are wrong far more often than Mixtral answers in general (36% wrong).
    expect(result.precision).toBeGreaterThan(1 - result.weakAccuracy);
    expect(result.pgr).toBeGreaterThan(result.randomPgr);
  });
});
