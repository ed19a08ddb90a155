import { describe, expect, it } from 'vitest';
import { finalAnswer, parseJudgeVerdict, samplesAgree } from '../../src/pipeline/verifiers.js';

describe('cascade verifiers', () => {
  it('compare the final number of worked answers', () => {
    expect(finalAnswer('Step 1: 6 × 7 = 42. The answer is 1,042.')).toBe('1042');
    expect(samplesAgree(['so the total is 18 dollars', 'Total: $18.00'])).toBe(true);
    expect(samplesAgree(['It is 42.', 'It is 48.'])).toBe(false);
  });

  it('compare normalised text when there is no number', () => {
    expect(samplesAgree(['Paris.', 'paris'])).toBe(true);
    expect(samplesAgree(['Paris', 'Lyon'])).toBe(false);
    expect(samplesAgree(['', ''])).toBe(false);
  });

  it('read a judge verdict in English or Chinese', () => {
    expect(parseJudgeVerdict('YES')).toBe(true);
    expect(parseJudgeVerdict(' yes, it is correct')).toBe(true);
    expect(parseJudgeVerdict('正确')).toBe(true);
    expect(parseJudgeVerdict('NO')).toBe(false);
    expect(parseJudgeVerdict('Not sure')).toBe(false);
  });
});
