import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from '../router/csv.js';
import { DATA_DIR } from '../router/paths.js';
import { checkArithmetic } from './arithmetic-verifier.js';

const weak = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
const strong = 'gpt-4-1106-preview';

export interface VerifierEvaluation {
  questions: number;
  weakAccuracy: number;
  strongAccuracy: number;
  /** Share of light answers the verifier doubted (= flagship calls in a cascade). */
  escalationShare: number;
  /** Of doubted answers, the share really wrong; of wrong answers, the share doubted. */
  precision: number;
  recall: number;
  cascadeAccuracy: number;
  /** Performance gap recovered by the cascade, and by random escalation at the same share. */
  pgr: number;
  randomPgr: number;
}

/**
 * The arithmetic verifier on RouteLLM's GSM8K file (decontaminated, 1,307 questions): Mixtral's full answers
 * with whether each was right, and GPT-4's. A cascade escalates every doubted Mixtral answer to GPT-4.
 */
export function evaluateArithmeticVerifier(dir = DATA_DIR): VerifierEvaluation {
  const contaminated = new Set(
    readFileSync(join(dir, 'routellm', 'gsm8k', 'contaminated_prompts.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { eval_prompt: string }).eval_prompt),
  );
  const rows = parseCsvObjects(readFileSync(join(dir, 'routellm', 'gsm8k', 'gsm8k_responses.csv'), 'utf8')).filter((row) => !contaminated.has(row.prompt ?? ''));
  let doubted = 0;
  let doubtedWrong = 0;
  let wrong = 0;
  let weakRight = 0;
  let strongRight = 0;
  let cascadeRight = 0;
  for (const row of rows) {
    const weakOk = row[weak] === 'True';
    const strongOk = row[strong] === 'True';
    const doubt = checkArithmetic(row[`${weak}_response`] ?? '').doubt;
    weakRight += weakOk ? 1 : 0;
    strongRight += strongOk ? 1 : 0;
    wrong += weakOk ? 0 : 1;
    if (doubt) {
      doubted += 1;
      doubtedWrong += weakOk ? 0 : 1;
    }
    cascadeRight += (doubt ? strongOk : weakOk) ? 1 : 0;
  }
  const n = rows.length;
  const weakAccuracy = weakRight / n;
  const strongAccuracy = strongRight / n;
  const cascadeAccuracy = cascadeRight / n;
  const share = doubted / n;
  const gap = strongAccuracy - weakAccuracy;
  return {
    questions: n,
    weakAccuracy,
    strongAccuracy,
    escalationShare: share,
    precision: doubted === 0 ? 0 : doubtedWrong / doubted,
    recall: wrong === 0 ? 0 : doubtedWrong / wrong,
    cascadeAccuracy,
    pgr: (cascadeAccuracy - weakAccuracy) / gap,
    randomPgr: share,
  };
}
