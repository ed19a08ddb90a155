/**
 * Which records may train a router that is scored on a benchmark. "Out of domain" drops every copy of the
 * benchmark's dataset from training, wherever it appears:
 * - MMLU: RouteLLM MMLU and LLMRouter's `mmlu` task (incl. the six rows labelled mmlu|openbook_qa / mmlu|arc_challenge).
 * - GSM8K: RouteLLM GSM8K, LLMRouter `gsm8k`, and `agentverse-mgsm` (MGSM is GSM8K translated). MATH stays: it is a
 *   different, competition-level dataset.
 * - MT-Bench: RouteLLM MT-Bench (LLMRouter has none).
 * - LLMRouter test: the official split trains on LLMRouter train (same 10 tasks: in distribution, as LLMRouter
 *   itself is scored); `llmrouter-strict` trains on RouteLLM data only.
 * LLMRouter test is never trained on. Finally every exact or near duplicate of a test prompt is removed (dedup.ts).
 */
import type { AllData, RoutingRecord } from './datasets.js';
import { taskNames } from './datasets.js';
import { withoutOverlap, type DedupResult } from './dedup.js';

export type Benchmark = 'mmlu' | 'gsm8k' | 'mt-bench' | 'llmrouter' | 'llmrouter-strict';
export const BENCHMARKS: Benchmark[] = ['mmlu', 'gsm8k', 'mt-bench', 'llmrouter'];

export function testSet(data: AllData, b: Benchmark): RoutingRecord[] {
  return b === 'mmlu' ? data.mmlu : b === 'gsm8k' ? data.gsm8k : b === 'mt-bench' ? data.mtBench : data.llmTest;
}

const EXCLUDED_TASKS: Partial<Record<Benchmark, string[]>> = { mmlu: ['mmlu'], gsm8k: ['gsm8k', 'agentverse-mgsm'] };

/** The out-of-domain training pool for a benchmark, before duplicate removal. */
export function outOfDomainPool(data: AllData, b: Benchmark): RoutingRecord[] {
  const drop = EXCLUDED_TASKS[b] ?? [];
  const llm = b === 'llmrouter-strict' ? [] : data.llmTrain.filter((r) => !taskNames(r).some((t) => drop.includes(t)));
  return [
    ...(b === 'mmlu' ? [] : data.mmlu),
    ...(b === 'gsm8k' ? [] : data.gsm8k),
    ...(b === 'mt-bench' ? [] : data.mtBench),
    ...llm,
  ];
}

export function trainingPool(data: AllData, b: Benchmark, dedup: DedupResult): RoutingRecord[] {
  return withoutOverlap(outOfDomainPool(data, b), testSet(data, b), dedup);
}

/** The full pool the shipped artifact trains on: everything except LLMRouter test and its duplicates. */
export function shippingPool(data: AllData, dedup: DedupResult): RoutingRecord[] {
  return withoutOverlap([...data.mmlu, ...data.gsm8k, ...data.mtBench, ...data.llmTrain], data.llmTest, dedup);
}

export const allRecords = (data: AllData): RoutingRecord[] => [...data.mmlu, ...data.gsm8k, ...data.mtBench, ...data.llmTrain, ...data.llmTest];
