import { ChatCallError, type ChatClient } from './chat-client.js';
import type { EvaluationResult, Evaluator } from './evaluators/types.js';
import type { ReplayItem } from './replay-dataset.js';

/** What happened to one item on one model. */
export interface ReplayOutcome {
  readonly item: string;
  readonly model: string;
  readonly answer?: string;
  /** The answer's call failed after retries; it scores 0, as a user would have got no answer. */
  readonly callError?: { readonly code: string; readonly message: string };
  readonly evaluation?: EvaluationResult;
  /** The evaluator itself failed (e.g. a judge reply without a score); the item is left out of the statistics. */
  readonly evaluationError?: string;
  readonly servedBy?: string;
  readonly costCny?: number;
  readonly latencyMs?: number;
}

export interface ReplayOptions {
  readonly items: readonly ReplayItem[];
  /** The candidate first, then the incumbent when comparing. */
  readonly models: readonly string[];
  readonly client: ChatClient;
  readonly evaluator: Evaluator;
  /** Calls in flight at once (default 4). */
  readonly concurrency?: number;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Called with each item's outcomes (one per model) in item order, as soon as that item and every item before
   * it are done; returning 'stop' starts no further item (calls in flight still finish and are returned).
   */
  readonly onItem?: (outcomes: readonly ReplayOutcome[]) => 'stop' | void;
}

async function runOne(item: ReplayItem, model: string, options: ReplayOptions): Promise<ReplayOutcome> {
  let answer;
  try {
    answer = await options.client.complete({
      model,
      messages: item.prompt,
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.maxTokens === undefined ? {} : { max_tokens: options.maxTokens }),
    });
  } catch (error) {
    const code = error instanceof ChatCallError ? error.code : 'internal_error';
    if (error instanceof ChatCallError && code === 'deferred') throw error;
    return { item: item.id, model, callError: { code, message: (error as Error).message }, evaluation: { score: 0, passed: false, reason: `no answer: ${(error as Error).message}` } };
  }
  const base = { item: item.id, model, answer: answer.content, servedBy: answer.servedBy, costCny: answer.costCny, latencyMs: answer.latencyMs };
  try {
    return { ...base, evaluation: await options.evaluator.evaluate({ prompt: item.prompt, answer: answer.content, reference: item.reference }) };
  } catch (error) {
    return { ...base, evaluationError: (error as Error).message };
  }
}

/**
 * Replays every item on every model, `concurrency` calls at a time, and scores each answer. Work is taken in
 * item order (item 1 on each model, then item 2, …), so with concurrency 1 the calls are made in file order.
 * Outcomes come back in the same order whatever finished first.
 */
export async function runReplay(options: ReplayOptions): Promise<ReplayOutcome[]> {
  const perItem = options.models.length;
  const tasks = options.items.flatMap((item) => options.models.map((model) => ({ item, model })));
  const outcomes: Array<ReplayOutcome | undefined> = new Array(tasks.length);
  let next = 0;
  let done = 0;
  let delivered = 0;
  let stopped = false;
  // Array.from, not slice: a sparse array's holes would be skipped by some() and every().
  const itemOutcomes = (item: number) => Array.from({ length: perItem }, (_, model) => outcomes[item * perItem + model]);
  // Items are handed to onItem strictly in file order, so a sequential test sees an order fixed in advance.
  const deliver = () => {
    while (!stopped && delivered < options.items.length) {
      const slice = itemOutcomes(delivered);
      if (slice.some((outcome) => outcome === undefined)) return;
      delivered += 1;
      if (options.onItem?.(slice as ReplayOutcome[]) === 'stop') stopped = true;
    }
  };
  options.onProgress?.(0, tasks.length);
  const worker = async () => {
    while (next < tasks.length && !stopped) {
      const index = next;
      next += 1;
      const task = tasks[index]!;
      outcomes[index] = await runOne(task.item, task.model, options);
      done += 1;
      options.onProgress?.(done, tasks.length);
      deliver();
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, tasks.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  // After a stop, keep whole items only: an item answered by one model but not the other is not comparable.
  const complete: ReplayOutcome[] = [];
  for (let item = 0; item < options.items.length; item += 1) {
    const slice = itemOutcomes(item);
    if (slice.every((outcome) => outcome !== undefined)) complete.push(...(slice as ReplayOutcome[]));
  }
  return complete;
}
