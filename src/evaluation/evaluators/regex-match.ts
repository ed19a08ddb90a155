import type { RegexSpec } from '../spec.js';
import { fail, pass, quote, type EvaluationInput, type EvaluationResult, type Evaluator } from './types.js';

export function regexMatch(spec: RegexSpec): Evaluator {
  const flags = new Set(['u', ...(spec.flags ?? '')]);
  const pattern = new RegExp(spec.pattern, [...flags].join(''));
  const mustMatch = spec.mustMatch !== false;
  return {
    description: `${mustMatch ? 'matches' : 'does not match'} /${spec.pattern}/${spec.flags ?? ''}`,
    binary: true,
    async evaluate({ answer }: EvaluationInput): Promise<EvaluationResult> {
      const found = pattern.exec(answer);
      if (mustMatch) return found ? pass(`matches at ${quote(found[0])}`) : fail(`${quote(answer)} does not match /${spec.pattern}/`);
      return found ? fail(`must not match, but matches at ${quote(found[0])}`) : pass('does not match, as required');
    },
  };
}
