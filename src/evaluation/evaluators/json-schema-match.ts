import { EvaluatorSpecError, type JsonSchemaSpec } from '../spec.js';
import { unsupportedKeywords, validateJsonSchema } from './json-schema-validator.js';
import { fail, pass, type EvaluationInput, type EvaluationResult, type Evaluator } from './types.js';

/**
 * The JSON in an answer: the whole answer, else a ```json fenced block, else the span from the first
 * "{" or "[" to the last matching bracket ("Here is the result: {...}"). Undefined when none parses.
 */
export function extractJson(answer: string): { value: unknown; from: 'whole' | 'fence' | 'span' } | undefined {
  const attempts: Array<[string | undefined, 'whole' | 'fence' | 'span']> = [[answer.trim(), 'whole']];
  const fence = /```(?:json|JSON)?\s*\n?([\s\S]*?)```/.exec(answer);
  attempts.push([fence?.[1]?.trim(), 'fence']);
  const start = answer.search(/[[{]/);
  if (start >= 0) {
    const close = answer[start] === '{' ? '}' : ']';
    attempts.push([answer.slice(start, answer.lastIndexOf(close) + 1), 'span']);
  }
  for (const [text, from] of attempts) {
    if (!text) continue;
    try {
      return { value: JSON.parse(text) as unknown, from };
    } catch {
      // try the next way of finding it
    }
  }
  return undefined;
}

export function jsonSchemaMatch(spec: JsonSchemaSpec): Evaluator {
  const unsupported = unsupportedKeywords(spec.schema);
  if (unsupported.length > 0) throw new EvaluatorSpecError(`json_schema evaluator: the schema uses keywords this validator does not check: ${unsupported.join(', ')}`);
  return {
    description: 'valid JSON for the schema',
    binary: true,
    async evaluate({ answer }: EvaluationInput): Promise<EvaluationResult> {
      const found = extractJson(answer);
      if (found === undefined) return fail('the answer contains no JSON');
      const problems = validateJsonSchema(spec.schema, found.value);
      if (problems.length === 0) return pass(found.from === 'whole' ? 'valid JSON for the schema' : `valid JSON for the schema (found in ${found.from === 'fence' ? 'a code fence' : 'surrounding text'})`);
      const shown = problems.slice(0, 3).map((problem) => `${problem.path || '(root)'} ${problem.message}`);
      return fail(`${shown.join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
    },
  };
}
