/** `tidegate router train | eval | score` as functions; the CLI wires them in. Each returns an exit code. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { formatTable } from '../cli/table.js';
import { inputFromPrompt } from './features.js';
import { LinearScorer, readArtifact } from './model.js';
import { DEFAULT_ARTIFACT } from './paths.js';
import { DEFAULT_LABELS_WEIGHT, trainRouter } from './pipeline.js';
import { LABELS_FORMAT, readLabels } from './labels.js';
import type { RoutingRecord } from './datasets.js';
import { runEval, type EvalReport } from './eval.js';
import type { Benchmark } from './splits.js';
import { chooseThreshold } from './calibrate.js';

const progress = (msg: string): void => { process.stderr.write(`router: ${msg}\n`); };
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '—');
const pct = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)}%` : '—');
const ci = (v: number, [lo, hi]: [number, number], f: (x: number) => string): string => `${f(v)} [${f(lo)}, ${f(hi)}]`;

/** tidegate router train [--out FILE] [--labels FILE.jsonl]... [--labels-weight W] [--json]: rebuilds the artifact
 * from data/routing, plus gateway-collected labels (labels.ts for the format). */
export async function routerTrainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, json: { type: 'boolean' }, labels: { type: 'string', multiple: true }, 'labels-weight': { type: 'string' } } });
  const out = values.out ?? DEFAULT_ARTIFACT;
  const lw = values['labels-weight'] === undefined ? DEFAULT_LABELS_WEIGHT : Number(values['labels-weight']);
  if (!Number.isFinite(lw) || lw <= 0) { process.stderr.write(`tidegate router train: --labels-weight must be a positive number, got "${values['labels-weight']}"\n`); return 2; }
  let labels: RoutingRecord[] = [];
  try { labels = (values.labels ?? []).flatMap((f) => readLabels(f)); } catch (e) { process.stderr.write(`tidegate router train: ${(e as Error).message}\n\nlabels format: ${LABELS_FORMAT}\n`); return 2; }
  if (labels.length) progress(`${labels.length} gateway labels at weight ${lw}`);
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

export function formatEval(r: EvalReport): string {
  const rows: string[][] = [];
  for (const b of r.benchmarks) {
    for (const [name, m] of Object.entries(b.routers)) {
      rows.push([`${b.benchmark} (n=${b.n})`, name, ci(m.value.apgr, m.ci.apgr, f3), ci(m.value.cpt50, m.ci.cpt50, pct), ci(m.value.cpt80, m.ci.cpt80, pct), `${pct(m.value.cpt50Monotone)} / ${pct(m.value.cpt80Monotone)}`]);
    }
  }
  const money = r.benchmarks.flatMap((b) => b.money.map((m) => [b.benchmark, `${m.target * 100}%`, ci(100 * m.costSaved, [100 * m.costSavedCi[0], 100 * m.costSavedCi[1]], pct), pct(100 * m.strongShare)]));
  const curve = r.learningCurve.map((c) => [c.labels, c.heldAside, ci(c.apgr.value.apgr, c.apgr.ci.apgr, f3), ci(c.apgr.value.cpt50, c.apgr.ci.cpt50, pct), ci(c.apgr.value.cpt80, c.apgr.ci.cpt80, pct)]);
  return [
    `Out of domain (95% bootstrap intervals, ${r.resamples} resamples)`,
    formatTable(['benchmark', 'router', 'APGR', 'CPT(50%)', 'CPT(80%)', 'monotone CPT 50/80'], rows),
    '', 'Trained router, money view (thresholds in hindsight): cost saved at quality kept',
    formatTable(['benchmark', 'quality kept ≥', 'cost saved', 'flagship share'], money),
    '', 'In-domain learning curve (labels of the benchmark, scored on the held-aside rest)',
    formatTable(['labels', 'held aside', 'APGR', 'CPT(50%)', 'CPT(80%)'], curve),
  ].join('\n');
}

/** tidegate router eval [--benchmark B]... [--resamples N] [--curve 0,100,500,1500] [--json] */
export async function routerEvalCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { benchmark: { type: 'string', multiple: true }, resamples: { type: 'string' }, curve: { type: 'string' }, json: { type: 'boolean' } } });
  const report = runEval({
    ...(values.benchmark ? { benchmarks: values.benchmark as Benchmark[] } : {}),
    resamples: values.resamples ? Number(values.resamples) : 1000,
    ...(values.curve !== undefined ? { curve: values.curve ? values.curve.split(',').map(Number) : [] } : {}),
    onProgress: progress,
  });
  if (values.json) {
    const slim = { ...report, benchmarks: report.benchmarks.map((b) => ({ ...b, routers: Object.fromEntries(Object.entries(b.routers).map(([k, v]) => [k, { ...v, value: { ...v.value, points: undefined } }])) })) };
    process.stdout.write(JSON.stringify(slim, null, 2) + '\n');
  } else process.stdout.write(formatEval(report) + '\n');
  return 0;
}

/** tidegate router score [--model FILE] < in.jsonl > out.jsonl; input {"id","prompt"} or {"id","messages"}. */
export async function routerScoreCommand(argv: string[], input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' } } });
  const scorer = new LinearScorer(readArtifact(values.model ?? DEFAULT_ARTIFACT));
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    const row = JSON.parse(text) as { id?: unknown; prompt?: unknown; messages?: unknown };
    let score: number;
    if (Array.isArray(row.messages)) score = scorer.score(row.messages as Array<{ role: string; content?: unknown }>);
    else if (typeof row.prompt === 'string') score = scorer.scoreInput(inputFromPrompt(row.prompt));
    else throw new Error(`line ${line}: expected "prompt" (string) or "messages" (array)`);
    output.write(JSON.stringify({ id: row.id ?? null, score }) + '\n');
  }
  return 0;
}

