import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { ChatCallError } from '../evaluation/chat-client.js';
import { createEvaluator } from '../evaluation/evaluators/index.js';
import { gatewayChatClient, type Priority } from '../evaluation/gateway-chat-client.js';
import { DatasetError, readReplayDataset } from '../evaluation/replay-dataset.js';
import { summariseReplay, type ModelSummary, type ReplaySummary } from '../evaluation/replay-report.js';
import { runReplay, type ReplayOutcome } from '../evaluation/replay-run.js';
import { SequentialPairedComparison } from '../evaluation/sequential-comparison.js';
import { EvaluatorSpecError, parseEvaluatorSpec, type EvaluatorSpec } from '../evaluation/spec.js';
import { createProgress } from './progress.js';
import { formatTable } from './table.js';

export const usage = `usage: tidegate eval run --dataset FILE.jsonl --model M [options]
  Replays a dataset (OpenAI fine-tuning JSONL, {"messages": [...]} per line; the last assistant message is
  the reference answer) against a running gateway, scores every answer and reports mean scores with 95%
  confidence intervals.

  --model M                 the candidate: a model or route id the gateway serves
  --incumbent M2            also replay on M2 and report the paired difference (candidate − incumbent)
  --evaluator SPEC          a JSON file (or inline JSON) such as {"kind":"numeric","tolerance":5};
                            kinds: exact, regex, json_schema, numeric, llm_judge
  --scenario NAME           use scenarios.NAME.quality.evaluator from the config (and its target as the cutoff
                            when the scenario's metric is a boolean to maximise, i.e. the pass rate)
  --cutoff X                exit 1 when the candidate's lower 95% bound is below X (a CI gate)
  --require-better          exit 1 unless the candidate beats the incumbent: paired lower bound > --margin (default 0)
  --stop-early              with --incumbent: stop replaying as soon as an anytime-valid sequential test decides
                            (candidate better, worse, or within --epsilon); error at most --delta (default 0.05).
                            Items are taken in file order, so shuffle a sorted file first.
  --url URL                 the gateway (default TIDEGATE_URL, else the config's server address)
  --key K, --api-key K      API key (default TIDEGATE_API_KEY)
  --priority P              x-tidegate-priority for the replayed calls: standard (default) or interactive
                            (not deferrable: deferred requests become jobs that wait for an off-peak window)
  --concurrency N           calls in flight at once (default 4)
  --temperature T           sampling temperature sent with every call (default 0: reproducible answers)
  --max-tokens N            max_tokens for every call
  --limit N                 replay only the first N items
  --output FILE.jsonl       write every answer with its score and reason
  --json                    print the summary as JSON
  --config FILE             config file (default ./tidegate.yaml)
  With --stop-early the sequential test decides promotion (its lower bound must also exceed --margin): the bootstrap
  interval loses its error bound once the data decided when to stop. Calls in flight at the stop still finish, so
  more items may be answered than the test used; "pairs" counts the items it used.
Exit status: 0 done (and gates passed), 1 a gate failed, 2 bad input or nothing could be evaluated.
`;

/** A replay needs answers now; a deferrable call may become a job that waits hours for an off-peak window. */
const PRIORITIES: readonly Priority[] = ['standard', 'interactive'];

class UsageError extends Error {}

function positiveInt(value: string | undefined, flag: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes a whole number ≥ 1, got "${value}"`);
  return n;
}

function finite(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} takes a number, got "${value}"`);
  return n;
}

function readSpec(value: string): unknown {
  const text = value.trim().startsWith('{') ? value : (() => {
    try {
      return readFileSync(value, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --evaluator ${value}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  })();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--evaluator ${value} is not JSON: ${(error as Error).message}`);
  }
}

const fixed = (value: number, places = 3) => (Number.isFinite(value) ? value.toFixed(places) : '–');

function printTable(summary: ReplaySummary): void {
  const kind = summary.models[0]?.interval === 'wilson' ? 'pass rate, 95% Wilson interval' : 'mean score 0–1, 95% bootstrap interval';
  const served = (model: ModelSummary) => Object.entries(model.servedBy).map(([name, count]) => (Object.keys(model.servedBy).length > 1 ? `${name} ×${count}` : name)).join(', ');
  const lines = [
    `${summary.items} items, evaluator: ${summary.evaluator} (${kind})`,
    '',
    formatTable(
      ['model', 'scored', 'passed', 'score', '95% CI', 'call errors', 'eval errors', 'cost (CNY)', 'mean ms', 'served by'],
      summary.models.map((model) => [model.model, model.scored, model.passed, fixed(model.score.mean), `[${fixed(model.score.lower)}, ${fixed(model.score.upper)}]`, model.callErrors, model.evaluationErrors, model.costCny, model.meanLatencyMs ?? '–', served(model)]),
    ),
  ];
  const comparison = summary.comparison;
  if (comparison) {
    const d = comparison.difference;
    lines.push('', `paired difference ${comparison.candidate} − ${comparison.incumbent} over ${comparison.pairs} items: ${d.mean >= 0 ? '+' : ''}${fixed(d.mean)}, 95% CI [${fixed(d.lower)}, ${fixed(d.upper)}]`);
    lines.push(comparison.promote ? `promote ${comparison.candidate}: ${comparison.reason}` : `keep ${comparison.incumbent}: ${comparison.reason}`);
  }
  const sequential = summary.sequential;
  if (sequential) {
    const verdict = sequential.verdict === 'equivalent' ? `equivalent within ±${sequential.epsilon}` : VERDICTS[sequential.verdict];
    // Calls in flight when the test stopped still finish: they are scored and shown, but the test did not use them.
    const extra = summary.items > sequential.pairs ? ` (${summary.items} answered: calls in flight at the stop finished, and items with an evaluation error are not paired)` : '';
    lines.push('', `sequential test (error ≤ ${sequential.delta}): ${verdict} after ${sequential.pairs} of ${sequential.itemsInDataset} items${extra}; difference ${sequential.mean >= 0 ? '+' : ''}${fixed(sequential.mean)}, confidence sequence [${fixed(sequential.lower)}, ${fixed(sequential.upper)}]`);
  }
  if (summary.gate) lines.push('', `cutoff ${summary.gate.passed ? 'PASSED' : 'FAILED'}: ${summary.gate.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface Resolved {
  spec: EvaluatorSpec;
  cutoff: number | undefined;
  source: string;
}

function resolveEvaluator(values: { evaluator?: string | undefined; scenario?: string | undefined; cutoff?: string | undefined; config?: string | undefined }): Resolved {
  const cutoff = finite(values.cutoff, '--cutoff');
  if (values.evaluator !== undefined && values.scenario !== undefined) throw new UsageError('give --evaluator or --scenario, not both');
  if (values.evaluator !== undefined) return { spec: parseEvaluatorSpec(readSpec(values.evaluator), `--evaluator ${values.evaluator}`), cutoff, source: '--evaluator' };
  if (values.scenario !== undefined) {
    const { quality, metrics } = loadConfig({ file: values.config }).flywheel;
    const entry = quality[values.scenario];
    if (entry?.evaluator === undefined) {
      const known = Object.entries(quality).filter(([, value]) => value.evaluator !== undefined).map(([name]) => name);
      throw new UsageError(`scenario "${values.scenario}" has no quality.evaluator in the config${known.length > 0 ? `; scenarios with one: ${known.join(', ')}` : ''}`);
    }
    // The target is a cutoff on the evaluator's score only when the metric is that score: a pass rate to maximise.
    // (A float metric such as a mean grade error has its own units.)
    const metric = metrics[entry.metric];
    const targetIsPassRate = metric?.type === 'boolean' && metric.optimize === 'max';
    return { spec: parseEvaluatorSpec(entry.evaluator, `scenarios.${values.scenario}.quality.evaluator`), cutoff: cutoff ?? (targetIsPassRate ? entry.target : undefined), source: `scenario ${values.scenario}` };
  }
  throw new UsageError('give an evaluator: --evaluator SPEC.json or --scenario NAME');
}

function gatewayUrl(configFile: string | undefined): string {
  const { host, port } = loadConfig({ file: configFile }).server;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
}

type SequentialSummary = NonNullable<ReplaySummary['sequential']>;

const VERDICTS: Record<SequentialSummary['verdict'], string> = {
  continue: 'undecided at the end of the data', candidate_better: 'candidate better', incumbent_better: 'incumbent better', equivalent: 'equivalent', inconclusive: 'undecided',
};

/**
 * After stopping early only the sequential test keeps its error bound (the bootstrap interval's is lost once the
 * data chose when to stop), so its verdict, and its confidence sequence against --margin, decide promotion.
 */
function decidedSequentially(summary: ReplaySummary, sequential: SequentialSummary, margin: number): ReplaySummary {
  if (!summary.comparison) return { ...summary, sequential };
  const promote = sequential.verdict === 'candidate_better' && sequential.lower > margin;
  const lower = fixed(sequential.lower);
  const reason = sequential.verdict === 'candidate_better' && !promote
    ? `sequential test: candidate better, but its lower bound ${lower} is not above the margin ${margin}`
    : `sequential test (error ≤ ${sequential.delta}): ${VERDICTS[sequential.verdict]} after ${sequential.pairs} pairs, lower bound ${lower}`;
  return { ...summary, comparison: { ...summary.comparison, promote, reason }, sequential };
}

async function evalRun(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      model: { type: 'string' },
      incumbent: { type: 'string' },
      evaluator: { type: 'string' },
      scenario: { type: 'string' },
      cutoff: { type: 'string' },
      margin: { type: 'string' },
      'require-better': { type: 'boolean' },
      'stop-early': { type: 'boolean' },
      delta: { type: 'string' },
      epsilon: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      'api-key': { type: 'string' },
      priority: { type: 'string' },
      concurrency: { type: 'string' },
      temperature: { type: 'string' },
      'max-tokens': { type: 'string' },
      limit: { type: 'string' },
      output: { type: 'string' },
      json: { type: 'boolean' },
      config: { type: 'string' },
    },
  });
  if (!values.dataset || !values.model) throw new UsageError('--dataset FILE.jsonl and --model M are required');
  if (values.incumbent === values.model) throw new UsageError('--incumbent must differ from --model');
  if (values['require-better'] && !values.incumbent) throw new UsageError('--require-better needs --incumbent');
  if (values['stop-early'] && !values.incumbent) throw new UsageError('--stop-early needs --incumbent');
  const delta = finite(values.delta, '--delta') ?? 0.05;
  if (!(delta > 0 && delta < 1)) throw new UsageError('--delta takes a number between 0 and 1');
  const epsilon = finite(values.epsilon, '--epsilon') ?? 0;
  const priority = (values.priority ?? 'standard') as Priority;
  if (!PRIORITIES.includes(priority)) throw new UsageError(`--priority takes ${PRIORITIES.join(' or ')}, got "${values.priority}"`);
  const resolved = resolveEvaluator(values);
  const concurrency = positiveInt(values.concurrency, '--concurrency', 4)!;
  const limit = positiveInt(values.limit, '--limit', undefined);
  const maxTokens = positiveInt(values['max-tokens'], '--max-tokens', undefined);
  const temperature = finite(values.temperature, '--temperature') ?? 0;
  const margin = finite(values.margin, '--margin');
  if (values.key !== undefined && values['api-key'] !== undefined) throw new UsageError('give --key or --api-key, not both');

  const items = readReplayDataset(values.dataset).slice(0, limit);
  const url = values.url ?? process.env['TIDEGATE_URL'] ?? gatewayUrl(values.config);
  // Replays must be real answers, not cache hits of earlier runs.
  const client = gatewayChatClient({ url, apiKey: values.key ?? values['api-key'] ?? process.env['TIDEGATE_API_KEY'], priority, headers: { 'x-tidegate-cache': 'bypass' } });
  const evaluator = createEvaluator(resolved.spec, { judgeClient: client });
  const models = [values.model, ...(values.incumbent ? [values.incumbent] : [])];
  const progress = createProgress(items.length * models.length, 'eval');
  const sequential = values['stop-early'] ? new SequentialPairedComparison({ delta, epsilon }) : undefined;
  const onItem = sequential
    ? (item: readonly ReplayOutcome[]) => {
        const [candidate, incumbent] = item;
        if (candidate?.evaluation === undefined || incumbent?.evaluation === undefined) return;
        return sequential.add(candidate.evaluation.score, incumbent.evaluation.score).verdict === 'continue' ? undefined : ('stop' as const);
      }
    : undefined;
  const outcomes = await runReplay({ items, models, client, evaluator, concurrency, temperature, maxTokens, onProgress: (done) => progress.update(done), onItem });
  if (sequential && sequential.state().verdict !== 'continue' && process.stderr.isTTY) process.stderr.write('\n');

  const candidateOutcomes = outcomes.filter((outcome) => outcome.model === values.model);
  if (candidateOutcomes.every((outcome) => outcome.callError)) {
    process.stderr.write(`tidegate eval: every call to ${values.model} failed; first error: ${candidateOutcomes[0]?.callError?.message ?? 'none'}\n`);
    return 2;
  }
  if (values.output) writeFileSync(values.output, outcomes.map((outcome) => JSON.stringify(outcome)).join('\n') + '\n');
  const replayed = summariseReplay(outcomes, { evaluator: evaluator.description, binary: evaluator.binary, candidate: values.model, incumbent: values.incumbent, cutoff: resolved.cutoff, margin });
  const summary: ReplaySummary = sequential
    ? decidedSequentially(replayed, { ...sequential.state(), delta, epsilon, itemsInDataset: items.length }, margin ?? 0)
    : replayed;
  if (values.json) process.stdout.write(`${JSON.stringify({ ...summary, evaluator_source: resolved.source, priority }, null, 2)}\n`);
  else printTable(summary);
  // The printed verdict, comparison.promote and the exit status are one decision.
  const gateFailed = summary.gate?.passed === false || (values['require-better'] === true && summary.comparison?.promote !== true);
  return gateFailed ? 1 : 0;
}

/** tidegate eval run: replay a dataset through the gateway and score the answers. */
export async function evalCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(usage);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'run') {
    process.stderr.write(`tidegate eval: unknown subcommand "${sub}"\n\n${usage}`);
    return 2;
  }
  try {
    return await evalRun(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EvaluatorSpecError || error instanceof DatasetError || (error instanceof ChatCallError && error.code === 'deferred')) {
      process.stderr.write(`tidegate eval: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`tidegate eval: ${error.message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}
