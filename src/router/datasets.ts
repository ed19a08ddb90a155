import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from './csv.js';
import { DATA_DIR } from './paths.js';
import type { RouterInput } from './features.js';

/** `gateway`: labelled outcomes collected by the gateway (router train --labels, labels.ts). */
export type Source = 'mmlu' | 'gsm8k' | 'mt-bench' | 'llmrouter' | 'gateway';

/** One prompt with the outcome (0..1) of the weak and the strong model of its benchmark's pair. */
export interface RoutingRecord {
  id: string;
  source: Source;
  /** MMLU subject, MT-Bench category, LLMRouter task_name. */
  task?: string;
  /** LLMRouter's official split; the RouteLLM sets are test-only benchmarks. */
  split?: 'train' | 'test';
  prompt: string;
  weak: number;
  strong: number;
  /** Mean outcome over every model the dataset scored (LLMRouter: 8 open models): how hard the prompt is for models
   * in general, a far less noisy label than one pair's gap (train.ts `target: 'difficulty'`). */
  meanOutcome?: number;
  /** Extra training weight of this record (default 1). */
  weight?: number;
  /** The whole request when it was more than one user prompt (gateway labels with system prompt or several turns). */
  input?: RouterInput;
}

const MIXTRAL = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
const GPT4 = 'gpt-4-1106-preview';
/** The pair routing.md's baseline table uses for LLMRouter. */
export const LLMROUTER_WEAK = 'gemma-2-9b-it';
export const LLMROUTER_STRONG = 'llama-3.1-nemotron-51b-instruct';

const readJsonl = (path: string): any[] => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const truth = (v: string | undefined): number => (v === 'True' ? 1 : 0);

function contaminated(dir: string, name: string): Set<string> {
  return new Set(readJsonl(join(dir, 'routellm', name, 'contaminated_prompts.jsonl')).map((r) => String(r.eval_prompt)));
}

export function loadMmlu(dir = DATA_DIR): RoutingRecord[] {
  const drop = contaminated(dir, 'mmlu');
  const out: RoutingRecord[] = [];
  const files = readdirSync(join(dir, 'routellm', 'mmlu', 'responses')).filter((f) => f.endsWith('.csv')).sort();
  for (const file of files) {
    const subject = file.replace(/^mmlu_/, '').replace(/\.csv$/, '');
    const rows = parseCsvObjects(readFileSync(join(dir, 'routellm', 'mmlu', 'responses', file), 'utf8'));
    rows.forEach((row, i) => {
      const prompt = row.prompt ?? '';
      if (drop.has(prompt)) return;
      out.push({ id: `mmlu:${subject}:${i}`, source: 'mmlu', task: subject, prompt, weak: truth(row[MIXTRAL]), strong: truth(row[GPT4]) });
    });
  }
  return out;
}

export function loadGsm8k(dir = DATA_DIR): RoutingRecord[] {
  const drop = contaminated(dir, 'gsm8k');
  const rows = parseCsvObjects(readFileSync(join(dir, 'routellm', 'gsm8k', 'gsm8k_responses.csv'), 'utf8'));
  const out: RoutingRecord[] = [];
  rows.forEach((row, i) => {
    const prompt = row.prompt ?? '';
    if (drop.has(prompt)) return;
    out.push({ id: `gsm8k:${i}`, source: 'gsm8k', prompt, weak: truth(row[MIXTRAL]), strong: truth(row[GPT4]) });
  });
  return out;
}

/** Outcome = mean of the two turns' 1-10 judge scores, divided by 10 so every source is on 0..1 (APGR and CPT are
 * invariant to that scale); routing sees turn 1 only, as in RouteLLM. */
export function loadMtBench(dir = DATA_DIR): RoutingRecord[] {
  const drop = contaminated(dir, 'mt_bench');
  const scores = new Map<string, number[]>();
  for (const j of readJsonl(join(dir, 'routellm', 'mt_bench', 'judgements.scores.jsonl'))) {
    const key = `${j.question_id}:${j.model}`;
    scores.set(key, [...(scores.get(key) ?? []), Number(j.score)]);
  }
  const mean = (key: string): number => {
    const s = scores.get(key);
    if (!s || s.length !== 2) throw new Error(`MT-Bench ${key}: expected 2 turn scores, got ${s?.length ?? 0}`);
    return (s[0]! + s[1]!) / 20;
  };
  return readJsonl(join(dir, 'routellm', 'mt_bench', 'question.jsonl'))
    .filter((q) => !drop.has(String(q.turns[0])))
    .map((q) => ({ id: `mt-bench:${q.question_id}`, source: 'mt-bench' as const, task: String(q.category), prompt: String(q.turns[0]), weak: mean(`${q.question_id}:${MIXTRAL}`), strong: mean(`${q.question_id}:${GPT4}`) }));
}

const meanScore = (scores: Record<string, number>): number => { const v = Object.values(scores); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0; };

export function loadLlmRouter(split: 'train' | 'test', dir = DATA_DIR): RoutingRecord[] {
  const rows = JSON.parse(readFileSync(join(dir, 'llmrouter', `dcrouter_${split}.json`), 'utf8')) as Array<{ question: string; scores: Record<string, number> }>;
  const tasks = JSON.parse(readFileSync(join(dir, 'llmrouter', `tasks_${split}.json`), 'utf8')) as string[];
  return rows.map((row, i) => ({
    id: `llmrouter-${split}:${i}`, source: 'llmrouter', split, task: tasks[i] ?? 'unknown', prompt: row.question,
    weak: row.scores[LLMROUTER_WEAK] ?? 0, strong: row.scores[LLMROUTER_STRONG] ?? 0, meanOutcome: meanScore(row.scores),
  }));
}

export interface AllData { mmlu: RoutingRecord[]; gsm8k: RoutingRecord[]; mtBench: RoutingRecord[]; llmTrain: RoutingRecord[]; llmTest: RoutingRecord[] }

let cached: AllData | undefined;
/** Every set, loaded once per process (parsing the CSVs takes ~0.3 s). */
export function loadAll(dir = DATA_DIR): AllData {
  if (cached && dir === DATA_DIR) return cached;
  const data = { mmlu: loadMmlu(dir), gsm8k: loadGsm8k(dir), mtBench: loadMtBench(dir), llmTrain: loadLlmRouter('train', dir), llmTest: loadLlmRouter('test', dir) };
  if (dir === DATA_DIR) cached = data;
  return data;
}

/** Task names of an LLMRouter row (six train rows carry two, e.g. "mmlu|openbook_qa"). */
export const taskNames = (r: RoutingRecord): string[] => (r.task ?? '').split('|');
