import { EVALUATOR_SPEC_KINDS, evaluatorSpecSchema, type EvaluatorSpec } from '../evaluation/spec.js';

/*
 * A scenario's `quality.evaluator` in the config is an evaluation spec (src/evaluation/spec.ts): one schema
 * for the gateway config, `tidegate eval run --evaluator` and the code that scores answers. Kinds are
 * spelled with underscores; the hyphenated spellings (`json-schema`, `llm-judge`) are read as the same kinds.
 */
export const evaluatorSchema = evaluatorSpecSchema;
export const EVALUATOR_KINDS = EVALUATOR_SPEC_KINDS;
export type EvaluatorKind = (typeof EVALUATOR_KINDS)[number];
/** One evaluator as written in the config (a plain object, discriminated by `kind`). */
export type EvaluatorConfig = EvaluatorSpec;

/** Every key any evaluator kind accepts, for "did you mean" hints on unknown keys. */
export const evaluatorKeys = ['kind', 'caseSensitive', 'unicode', 'whitespace', 'ignorePunctuation', 'pattern', 'flags', 'mustMatch', 'schema', 'tolerance', 'relative', 'model', 'rubric', 'scale', 'includeReference', 'passAt'];
