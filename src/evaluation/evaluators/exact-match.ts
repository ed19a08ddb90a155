import type { ExactSpec } from '../spec.js';
import { fail, pass, quote, type EvaluationInput, type EvaluationResult, type Evaluator } from './types.js';

// ASCII punctuation plus the CJK and full-width marks a Chinese answer ends with (。，、！？：；「」『』《》…).
// Symbols (¥, +, =) and percent signs (Unicode punctuation, but part of a number) are kept: "50%" is not "50".
const PUNCTUATION = /(?![%‰‱])\p{P}/gu;

/** The text as the spec compares it. */
export function normaliseForExactMatch(text: string, spec: Omit<ExactSpec, 'kind'>): string {
  let out = spec.unicode === false ? text : text.normalize('NFKC');
  if (spec.ignorePunctuation === true) out = out.replace(PUNCTUATION, ' ');
  if (spec.whitespace !== false) out = out.replace(/\s+/gu, ' ').trim();
  if (spec.caseSensitive !== true) out = out.toLocaleLowerCase('en');
  return out;
}

export function exactMatch(spec: ExactSpec): Evaluator {
  const options = [spec.caseSensitive === true ? 'case-sensitive' : '', spec.ignorePunctuation === true ? 'ignoring punctuation' : ''].filter(Boolean);
  return {
    description: `exact match${options.length > 0 ? ` (${options.join(', ')})` : ''}`,
    binary: true,
    async evaluate({ answer, reference }: EvaluationInput): Promise<EvaluationResult> {
      if (reference === undefined) return fail('no reference answer to compare with');
      return normaliseForExactMatch(answer, spec) === normaliseForExactMatch(reference, spec)
        ? pass('matches the reference')
        : fail(`${quote(answer)} differs from the reference ${quote(reference)}`);
    },
  };
}
