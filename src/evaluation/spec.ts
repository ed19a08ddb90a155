import { z } from 'zod';

/*
 * What an evaluator is, as written in a config file or an `--evaluator SPEC.json`: a plain object
 * discriminated by `kind`. Kinds are spelled with underscores (`json_schema`, `llm_judge`); the hyphenated
 * spellings (`json-schema`, `llm-judge`) are accepted too, so a scenario's `quality.evaluator` from the
 * gateway config can be passed here unchanged. The code that scores answers is in ./evaluators/.
 */

const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);

/** The answer equals the reference after normalisation (each step can be turned off or on). */
export const exactSpecSchema = z.strictObject({
  kind: z.literal('exact'),
  /** Default false: "Paris" equals "paris". */
  caseSensitive: z.boolean().optional(),
  /** Default true: NFKC, so full-width "ＡＢＣ１２３" equals "ABC123". */
  unicode: z.boolean().optional(),
  /** Default true: leading and trailing space removed, runs of space collapsed to one. */
  whitespace: z.boolean().optional(),
  /** Default false: when true, punctuation (ASCII and Chinese: 。，！？) is ignored. */
  ignorePunctuation: z.boolean().optional(),
});

const validPattern = (pattern: string, ctx: z.RefinementCtx): void => {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
  }
};

/** The answer matches `pattern` (or, with `mustMatch: false`, does not). */
export const regexSpecSchema = z.strictObject({
  kind: z.literal('regex'),
  pattern: z.string().min(1).superRefine(validPattern),
  flags: z.string().regex(/^[imsu]*$/, { error: 'may only use the flags i, m, s, u' }).optional(),
  mustMatch: z.boolean().optional(),
});

/** The answer is JSON (a ```json fence around it is allowed) that validates against `schema`. */
export const jsonSchemaSpecSchema = z.strictObject({
  kind: z.literal('json_schema'),
  schema: z.record(z.string(), z.unknown()),
});

/** The number in the answer is within `tolerance` of the reference's (an essay grade within 5 points). */
export const numericSpecSchema = z.strictObject({
  kind: z.literal('numeric'),
  tolerance: numeric(z.number().min(0)),
  /** Tolerance as a share of the reference (0.05 = 5%) instead of an absolute difference. */
  relative: z.boolean().optional(),
});

/** A judge model, called through the gateway, scores the answer against a rubric (and the reference). */
export const llmJudgeSpecSchema = z.strictObject({
  kind: z.literal('llm_judge'),
  /** A model or route id the gateway serves. */
  model: z.string().min(1),
  /** What the judge checks, e.g. "Does the reply recognise the customer's intent?". */
  rubric: z.string().min(1).optional(),
  /** The range the judge scores on (default 0–10); the score is scaled to 0–1. */
  scale: z.strictObject({ min: numeric(z.number()), max: numeric(z.number()) }).refine((scale) => scale.max > scale.min, { error: 'scale.max must be greater than scale.min' }).optional(),
  /** Show the judge the reference answer (default true). */
  includeReference: z.boolean().optional(),
  /** Scaled score at or above which the answer passes (default 0.5). */
  passAt: numeric(z.number().min(0).max(1)).optional(),
});

const KIND_ALIASES: Readonly<Record<string, string>> = { 'json-schema': 'json_schema', 'llm-judge': 'llm_judge', exact_match: 'exact', 'exact-match': 'exact' };

export const evaluatorSpecSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const kind = (value as { kind?: unknown }).kind;
    return typeof kind === 'string' && KIND_ALIASES[kind] !== undefined ? { ...value, kind: KIND_ALIASES[kind] } : value;
  },
  z.discriminatedUnion('kind', [exactSpecSchema, regexSpecSchema, jsonSchemaSpecSchema, numericSpecSchema, llmJudgeSpecSchema]),
);

export const EVALUATOR_SPEC_KINDS = ['exact', 'regex', 'json_schema', 'numeric', 'llm_judge'] as const;

/** One evaluator, validated: what `createEvaluator` takes. */
export type EvaluatorSpec = z.output<typeof evaluatorSpecSchema>;
export type ExactSpec = z.output<typeof exactSpecSchema>;
export type RegexSpec = z.output<typeof regexSpecSchema>;
export type JsonSchemaSpec = z.output<typeof jsonSchemaSpecSchema>;
export type NumericSpec = z.output<typeof numericSpecSchema>;
export type LlmJudgeSpec = z.output<typeof llmJudgeSpecSchema>;

export class EvaluatorSpecError extends Error {
  override readonly name = 'EvaluatorSpecError';
}

/** Validates a spec; the error names each wrong field and the kinds there are. */
export function parseEvaluatorSpec(value: unknown, source = 'evaluator'): EvaluatorSpec {
  const result = evaluatorSpecSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    const hint = issue.path[0] === 'kind' || issue.code === 'invalid_union' ? ` (kind is one of ${EVALUATOR_SPEC_KINDS.join(', ')})` : '';
    return `${path}: ${issue.message}${hint}`;
  });
  throw new EvaluatorSpecError(`${source} is not a valid evaluator: ${problems.join('; ')}`);
}
