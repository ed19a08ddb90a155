/** `tidegate router train | eval` as functions; the CLI wires them in (score: cli/router-score.ts). Each returns an exit code. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../cli/table.js';
import { readArtifact } from './model.js';
import { DEFAULT_ARTIFACT } from './paths.js';
import { DEFAULT_LABELS_WEIGHT, trainRouter } from './pipeline.js';
import { LABELS_FORMAT, readLabels } from './labels.js';
import type { RoutingRecord } from './datasets.js';
import { runEval, type EvalReport } from './eval.js';
import { BENCHMARKS, type Benchmark } from './splits.js';
import { chooseThreshold } from './calibrate.js';
import { trainFromFeedback } from './feedback.js';

const progress = (msg: string): void => { process.stderr.write(`router: ${msg}\n`); };
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '—');
const ci = (v: number, [lo, hi]: [number, number], f: (x: number) => string): string => `${f(v)} [${f(lo)}, ${f(hi)}]`;

/** tidegate router train [--out FILE] [--labels FILE.jsonl]... [--labels-weight W] [--json]: rebuilds the artifact
 * from data/routing, plus gateway-collected labels (labels.ts for the format). With --from-feedback the labels are
 * split into training and replay parts and the new artifact replaces --out only if the replay shows it better
 * (feedback.ts); it is always written, versioned, beside --out. */
export async function routerTrainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: {
    out: { type: 'string' }, json: { type: 'boolean' }, labels: { type: 'string', multiple: true }, 'labels-weight': { type: 'string' },
    'from-feedback': { type: 'boolean' }, model: { type: 'string' }, 'replay-share': { type: 'string' }, resamples: { type: 'string' },
  } });
  const fail = (msg: string): number => { process.stderr.write(`tidegate router train: ${msg}\n`); return 2; };
  const out = values.out ?? DEFAULT_ARTIFACT;
  const lw = values['labels-weight'] === undefined ? DEFAULT_LABELS_WEIGHT : Number(values['labels-weight']);
  if (!Number.isFinite(lw) || lw <= 0) return fail(`--labels-weight must be a positive number, got "${values['labels-weight']}"`);
  const share = values['replay-share'] === undefined ? 0.3 : Number(values['replay-share']);
  if (!(share > 0 && share < 1)) return fail(`--replay-share must be between 0 and 1, got "${values['replay-share']}"`);
  const resamples = values.resamples === undefined ? 1000 : Number(values.resamples);
  if (!Number.isInteger(resamples) || resamples < 100) return fail(`--resamples must be an integer of at least 100, got "${values.resamples}"`);
  if (values['from-feedback'] && !values.labels?.length) return fail('--from-feedback needs --labels FILE.jsonl (the labels the gateway collected)');
  let labels: RoutingRecord[] = [];
  try { labels = (values.labels ?? []).flatMap((f) => readLabels(f)); } catch (e) { return fail(`${(e as Error).message}\n\nlabels format: ${LABELS_FORMAT}`); }
  if (labels.length) progress(`${labels.length} gateway labels at weight ${lw}`);
  if (values['from-feedback']) return fromFeedback(labels, lw, out, share, resamples, values.model, !!values.json);
  const { artifact } = trainRouter({ onProgress: progress, labels, labelsWeight: lw });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(artifact) + '\n');
  const targets = [0.95, 0.99].map((t) => ({ target: t, ...chooseThreshold(artifact.calibration.points, t) }));
  if (values.json) process.stdout.write(JSON.stringify({ out, version: artifact.version, training: artifact.training, targets }) + '\n');
  else {
    process.stdout.write(`wrote ${out} (${artifact.version})\n`);
    process.stdout.write(formatTable(['quality target', 'threshold', 'flagship share', 'quality kept'], targets.map((t) => [t.target, t.threshold.toFixed(4), pct(100 * t.expectedFlagshipShare), pct(100 * t.expectedQualityKept)])) + '\n');
  }
  return 0;
}

/** The candidate goes to <dir of out>/<version>.json; `out` is replaced only on promotion. Exit 0 either way. */
function fromFeedback(labels: RoutingRecord[], labelsWeight: number, out: string, replayShare: number, resamples: number, model: string | undefined, json: boolean): number {
  const currentPath = model ?? (existsSync(out) ? out : DEFAULT_ARTIFACT);
  const current = readArtifact(currentPath);
  const result = trainFromFeedback({ feedback: labels, current, replayShare, resamples, base: { onProgress: progress, labelsWeight } });
  const candidate = result.candidate;
  const candidatePath = candidate ? join(dirname(out), `${candidate.version}.json`) : null;
  if (candidate && candidatePath) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(candidatePath, JSON.stringify(candidate) + '\n');
    if (result.promoted) writeFileSync(out, JSON.stringify(candidate) + '\n');
  }
  if (json) process.stdout.write(JSON.stringify({ promoted: result.promoted, reason: result.reason, current: { path: currentPath, version: current.version }, candidate: candidate ? { path: candidatePath, version: candidate.version } : null, out, trainLabels: result.trainLabels, replay: result.replay, benchmark: result.benchmark }) + '\n');
  else {
    if (candidate) process.stdout.write(`candidate ${candidate.version} (${result.trainLabels} training labels) written to ${candidatePath}\n`);
    process.stdout.write(result.promoted ? `promoted: ${out} is now ${candidate!.version} (${result.reason})\n` : `not promoted: ${currentPath} (${current.version}) stays in use: ${result.reason}\n`);
  }
  return 0;
}

export function formatEval(r: EvalReport): string {
  const rows: string[][] = [];
  for (const b of r.benchmarks) {
    for (const [name, m] of Object.entries(b.routers)) {
      rows.push([`${b.benchmark} (n=${b.n})`, name, ci(m.value.apgr, m.ci.apgr, f3), ci(m.value.cpt50, m.ci.cpt50, pct), ci(m.value.cpt80, m.ci.cpt80, pct), `${pct(m.value.cpt50Monotone)} / ${pct(m.value.cpt80Monotone)}`]);
    }
  }
  const paired = r.benchmarks.map((b) => [b.benchmark, ci(b.vsLength.value, b.vsLength.ci, (x) => (x >= 0 ? '+' : '') + f3(x))]);
  const money = r.benchmarks.flatMap((b) => b.money.map((m) => [b.benchmark, `${m.target * 100}%`, ci(100 * m.costSaved, [100 * m.costSavedCi[0], 100 * m.costSavedCi[1]], pct), pct(100 * m.strongShare)]));
  const curve = r.learningCurve.map((c) => [c.labels, c.seeds.length, c.heldAside, ci(c.apgr, c.ci, f3), `${f3(Math.min(...c.perSeed))} – ${f3(Math.max(...c.perSeed))}`, pct(c.cpt50), pct(c.cpt80)]);
  return [
    `Out of domain (95% bootstrap intervals, ${r.resamples} resamples)`,
    formatTable(['benchmark', 'router', 'APGR', 'CPT(50%)', 'CPT(80%)', 'monotone CPT 50/80'], rows),
    '', 'Trained minus prompt length, APGR (paired: both routers under each resample)',
    formatTable(['benchmark', 'APGR difference'], paired),
    '', 'Trained router, money view (thresholds in hindsight): cost saved at quality kept',
    formatTable(['benchmark', 'quality kept ≥', 'cost saved', 'flagship share'], money),
    '', `In-domain learning curve on ${r.curveSource} (random labels ${r.curveMode === 'task' ? 'with their task: task prior + general router + n-gram residual, stacked by cross-validation inside the labels' : r.curveMode === 'joint' ? 'with their task, pooled with the out-of-domain data' : 'as gateway feedback, prompt and outcome only'}, scored on the held-aside rest; mean over label samples, 95% interval pooled over their bootstraps)`,
    formatTable(['labels', 'samples', 'held aside', 'APGR', 'range over samples', 'CPT(50%)', 'CPT(80%)'], curve),
  ].join('\n');
}

/** tidegate router eval [--benchmark B]... [--resamples N] [--curve 0,100,500,1500] [--curve-seeds 7,8,9,10,11] [--curve-source mmlu|gsm8k] [--curve-mode task|joint|feedback] [--json] */
export async function routerEvalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { benchmark: { type: 'string', multiple: true }, resamples: { type: 'string' }, curve: { type: 'string' }, 'curve-seeds': { type: 'string' }, 'curve-source': { type: 'string' }, 'curve-mode': { type: 'string' }, json: { type: 'boolean' } } });
  const source = values['curve-source'] ?? 'mmlu', mode = values['curve-mode'] ?? 'task';
  if (source !== 'mmlu' && source !== 'gsm8k') { process.stderr.write(`tidegate router eval: --curve-source must be mmlu or gsm8k, got "${source}"\n`); return 2; }
  const known: string[] = [...BENCHMARKS, 'llmrouter-strict'];
  const unknown = (values.benchmark ?? []).filter((b) => !known.includes(b));
  if (unknown.length) { process.stderr.write(`tidegate router eval: unknown --benchmark ${unknown.map((b) => `"${b}"`).join(', ')} (one of ${known.join(', ')})\n`); return 2; }
  if (mode !== 'task' && mode !== 'joint' && mode !== 'feedback') { process.stderr.write(`tidegate router eval: --curve-mode must be task, joint or feedback, got "${mode}"\n`); return 2; }
  const report = runEval({
    ...(values.benchmark ? { benchmarks: values.benchmark as Benchmark[] } : {}),
    resamples: values.resamples ? Number(values.resamples) : 1000,
    ...(values.curve !== undefined ? { curve: values.curve ? values.curve.split(',').map(Number) : [] } : {}),
    ...(values['curve-seeds'] ? { curveSeeds: values['curve-seeds'].split(',').map(Number) } : {}),
    curveSource: source, curveMode: mode,
    onProgress: progress,
  });
  if (values.json) {
    const slim = { ...report, benchmarks: report.benchmarks.map((b) => ({ ...b, routers: Object.fromEntries(Object.entries(b.routers).map(([k, v]) => [k, { ...v, value: { ...v.value, points: undefined } }])) })) };
    process.stdout.write(JSON.stringify(slim, null, 2) + '\n');
  } else process.stdout.write(formatEval(report) + '\n');
  return 0;
}

