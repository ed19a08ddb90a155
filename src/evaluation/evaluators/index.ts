import type { ChatClient } from '../chat-client.js';
import { EvaluatorSpecError, type EvaluatorSpec } from '../spec.js';
import { exactMatch } from './exact-match.js';
import { jsonSchemaMatch } from './json-schema-match.js';
import { llmJudge } from './llm-judge.js';
import { numericTolerance } from './numeric-tolerance.js';
import { regexMatch } from './regex-match.js';
import type { Evaluator } from './types.js';

export type { EvaluationInput, EvaluationResult, Evaluator, EvalMessage } from './types.js';

/** The evaluator a spec describes. A judge needs a client to call its model with (the gateway). */
export function createEvaluator(spec: EvaluatorSpec, options: { judgeClient?: ChatClient } = {}): Evaluator {
  switch (spec.kind) {
    case 'exact':
      return exactMatch(spec);
    case 'regex':
      return regexMatch(spec);
    case 'json_schema':
      return jsonSchemaMatch(spec);
    case 'numeric':
      return numericTolerance(spec);
    case 'llm_judge':
      if (!options.judgeClient) throw new EvaluatorSpecError(`llm_judge evaluator: no gateway to call the judge model ${spec.model} through`);
      return llmJudge(spec, options.judgeClient);
  }
}
