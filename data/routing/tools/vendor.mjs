// Rebuilds data/routing/ from the shared dataset mirror. Run once by hand (node data/routing/tools/vendor.mjs [SRC]);
// kept so the slimming below (dropped judge texts, task-name map) can be checked and redone.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = process.argv[2] ?? '/work/shared/datasets/routing';
const out = join(dirname(fileURLToPath(import.meta.url)), '..');
const copy = (from, to) => { mkdirSync(dirname(join(out, to)), { recursive: true }); copyFileSync(join(src, from), join(out, to)); };

// RouteLLM: MMLU and GSM8K verbatim (GSM8K keeps its answer texts: useful later for cascade work).
const r = 'routellm_evals';
copy(`${r}/LICENSE`, 'routellm/LICENSE');
copy(`${r}/.commit`, 'routellm/COMMIT');
for (const f of readdirSync(join(src, r, 'mmlu/responses'))) copy(`${r}/mmlu/responses/${f}`, `routellm/mmlu/responses/${f}`);
for (const b of ['mmlu', 'gsm8k', 'mt_bench']) copy(`${r}/${b}/contaminated_prompts.jsonl`, `routellm/${b}/contaminated_prompts.jsonl`);
copy(`${r}/gsm8k/gsm8k_responses.csv`, 'routellm/gsm8k/gsm8k_responses.csv');
copy(`${r}/mt_bench/question.jsonl`, 'routellm/mt_bench/question.jsonl');
// MT-Bench judgements: the judge's prose and the replayed conversation are 99% of the bytes and unused for routing.
const judgements = readFileSync(join(src, r, 'mt_bench/judgements.jsonl'), 'utf8').split('\n').filter(Boolean).map((line) => {
  const { question_id, model, judge, score, turn } = JSON.parse(line);
  return JSON.stringify({ question_id, model, judge, score, turn });
});
writeFileSync(join(out, 'routellm/mt_bench/judgements.scores.jsonl'), judgements.join('\n') + '\n');

// LLMRouter: the dcrouter split verbatim, the price table, and a task name per split row (index-aligned) in place
// of the 3.8 MB query files, whose only use here is the task label.
const l = 'llmrouter_ulab';
copy(`${l}/LICENSE`, 'llmrouter/LICENSE');
copy(`${l}/.commit`, 'llmrouter/COMMIT');
copy(`${l}/data/example_data/llm_candidates/default_llm.json`, 'llmrouter/default_llm.json');
for (const split of ['train', 'test']) {
  copy(`${l}/data/dcrouter_preprocessed/${split}.json`, `llmrouter/dcrouter_${split}.json`);
  const rows = JSON.parse(readFileSync(join(src, l, `data/dcrouter_preprocessed/${split}.json`), 'utf8'));
  const tasks = new Map();
  for (const line of readFileSync(join(src, l, `data/example_data/query_data/default_query_${split}.jsonl`), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { task_name, query } = JSON.parse(line);
    const seen = tasks.get(query);
    tasks.set(query, seen && seen !== task_name ? `${seen}|${task_name}` : task_name);
  }
  const names = rows.map((row) => tasks.get(row.question) ?? 'unknown');
  const ambiguous = names.filter((n) => n.includes('|') || n === 'unknown').length;
  writeFileSync(join(out, `llmrouter/tasks_${split}.json`), JSON.stringify(names) + '\n');
  console.log(`${split}: ${rows.length} rows, ${ambiguous} without a unique task`);
}
