/** A chat message as the dataset and the OpenAI API carry it (text content only is scored). */
export interface EvalMessage {
  readonly role: string;
  readonly content: string;
}

/** One answer to score: the prompt it answered, the answer, and the reference answer when there is one. */
export interface EvaluationInput {
  readonly prompt: readonly EvalMessage[];
  readonly answer: string;
  readonly reference: string | undefined;
}

/**
 * An evaluator's verdict. `score` is in 0–1 (1 or 0 for pass/fail evaluators); `reason` says why in a
 * sentence a person can check; `value` is what was measured when there is a number (the grade read from
 * the answer, the judge's raw score).
 */
export interface EvaluationResult {
  readonly score: number;
  readonly passed: boolean;
  readonly reason: string;
  readonly value?: number;
}

export interface Evaluator {
  /** e.g. "numeric within 5" — shown in reports. */
  readonly description: string;
  /** True when every score is 0 or 1 (a pass rate, reported with a Wilson interval). */
  readonly binary: boolean;
  evaluate(input: EvaluationInput): Promise<EvaluationResult>;
}

export const pass = (reason: string, value?: number): EvaluationResult => ({ score: 1, passed: true, reason, ...(value === undefined ? {} : { value }) });
export const fail = (reason: string, value?: number): EvaluationResult => ({ score: 0, passed: false, reason, ...(value === undefined ? {} : { value }) });

/** A short quote of a text for reasons: first 60 characters, on one line. */
export function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  return JSON.stringify(chars.length > 60 ? `${chars.slice(0, 60).join('')}…` : line);
}
