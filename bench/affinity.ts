/**
 * npm run bench:affinity — prefix-affinity routing against round-robin, least-loaded and consistent
 * hashing on a simulated 4-replica fleet, in deterministic virtual time (see affinity-fleet.ts).
 *
 * For each workload and seed, the fleet's cold capacity (prefix caching off, closed loop) is measured
 * first; sessions then arrive as a Poisson process at 70% of it. Hit rates are engine-reported
 * (Σ cached_tokens / Σ prompt_tokens); TTFT is simulated time from arrival to the first token; load is the
 * time-averaged running + waiting requests per replica. Each workload also gets its hit-rate ceiling (one
 * engine with unbounded KV: the most any router can reach), which bounds what a ratio target can demand.
 * Writes bench/results/affinity-latest.json.
 *
 *   AFFINITY_SEEDS (default 3), AFFINITY_LOAD (default 0.7), AFFINITY_SCALE (fraction of the default
 *   session counts, default 1)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldCapacityRps, DEFAULT_FLEET, hitRateCeiling, POLICIES, runFleet, type PolicyName, type RunResult } from './affinity-fleet.js';
import { WORKLOADS, type Workload } from './affinity-workloads.js';

const seeds = Number(process.env.AFFINITY_SEEDS ?? 3);
const load = Number(process.env.AFFINITY_LOAD ?? 0.7);
const scale = Number(process.env.AFFINITY_SCALE ?? 1);
const SESSIONS: Record<string, number> = { 'shared-system': 2500, 'multi-turn': 400, 'zipf-hot': 2500, 'no-sharing': 2000 };
const progress = (text: string) => process.stderr.write(`[bench:affinity ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Cell { policy: PolicyName; runs: RunResult[] }
interface WorkloadResult { workload: string; description: string; capacityRps: number[]; sessionRatePerS: number[]; ceiling: number[]; cells: Cell[] }

function runWorkload(workload: Workload): WorkloadResult {
  const sessions = Math.max(50, Math.round((SESSIONS[workload.name] ?? 1000) * scale));
  const result: WorkloadResult = { workload: workload.name, description: workload.description, capacityRps: [], sessionRatePerS: [], ceiling: [], cells: POLICIES.map((policy) => ({ policy, runs: [] })) };
  for (let seed = 1; seed <= seeds; seed++) {
    const turns = workload.sessions(sessions, seed).reduce((sum, s) => sum + s.turns.length, 0) / sessions;
    const capacity = coldCapacityRps(workload, seed, Math.min(sessions, workload.sessionIds ? 200 : 1200));
    const rate = (load * capacity) / turns;
    result.capacityRps.push(capacity);
    result.sessionRatePerS.push(rate);
    result.ceiling.push(hitRateCeiling(workload, sessions, seed));
    for (const cell of result.cells) {
      cell.runs.push(runFleet({ workload, policy: cell.policy, seed, sessions, sessionRatePerS: rate }));
      progress(`${workload.name} seed ${seed} ${cell.policy}: hit ${(cell.runs.at(-1)!.hitRate * 100).toFixed(1)}%, p90 TTFT ${cell.runs.at(-1)!.ttftP90Ms.toFixed(0)} ms`);
    }
  }
  return result;
}

type Metric = 'hitRate' | 'ttftP50Ms' | 'ttftP90Ms' | 'ttftP99Ms' | 'loadMaxOverMean' | 'requestsMaxOverMean' | 'throughputRps' | 'decisionP99Us';
const cellOf = (w: WorkloadResult, policy: PolicyName) => w.cells.find((c) => c.policy === policy)!;
/** Per-seed values of f(affinity run, baseline run). */
const perSeed = (w: WorkloadResult, baseline: PolicyName, f: (a: RunResult, b: RunResult) => number) =>
  cellOf(w, 'prefix-affinity').runs.map((run, i) => f(run, cellOf(w, baseline).runs[i]!));

/** A bound is not a target: it says what no router can exceed on the workload (pass is then meaningless). */
interface Target { workload: string; target: string; perSeed: number[]; median: number; pass: boolean; bound?: true }

function targets(results: WorkloadResult[]): Target[] {
  const out: Target[] = [];
  const add = (workload: string, target: string, values: number[], ok: (v: number) => boolean) => {
    if (!results.some((r) => r.workload === workload)) return;
    out.push({ workload, target, perSeed: values, median: median(values), pass: values.every(ok) });
  };
  for (const name of ['shared-system', 'multi-turn']) {
    const w = results.find((r) => r.workload === name);
    if (!w) continue;
    add(name, 'hit rate ≥ 2× round-robin (ratio)', perSeed(w, 'round-robin', (a, b) => a.hitRate / b.hitRate), (v) => v >= 2);
    add(name, 'hit rate ≥ least-loaded + 20 points (points)', perSeed(w, 'least-loaded', (a, b) => (a.hitRate - b.hitRate) * 100), (v) => v >= 20);
    add(name, 'p90 TTFT ≥ 3× lower than round-robin (ratio)', perSeed(w, 'round-robin', (a, b) => b.ttftP90Ms / a.ttftP90Ms), (v) => v >= 3);
    add(name, 'hit rate ÷ ceiling (share of the best any router can do)', cellOf(w, 'prefix-affinity').runs.map((run, i) => run.hitRate / w.ceiling[i]!), (v) => v >= 0.95);
    const bound = cellOf(w, 'round-robin').runs.map((run, i) => w.ceiling[i]! / run.hitRate);
    out.push({ workload: name, target: 'bound: ceiling ÷ round-robin (no router can exceed)', perSeed: bound, median: median(bound), pass: bound.every((v) => v >= 2), bound: true });
  }
  const zipf = results.find((r) => r.workload === 'zipf-hot');
  if (zipf) add('zipf-hot', 'max/mean replica load ≤ 1.5', cellOf(zipf, 'prefix-affinity').runs.map((r) => r.loadMaxOverMean), (v) => v <= 1.5);
  const control = results.find((r) => r.workload === 'no-sharing');
  if (control) {
    add('no-sharing', 'p50 TTFT within 5% of least-loaded (ratio)', perSeed(control, 'least-loaded', (a, b) => a.ttftP50Ms / b.ttftP50Ms), (v) => v <= 1.05);
    add('no-sharing', 'p90 TTFT within 5% of least-loaded (ratio)', perSeed(control, 'least-loaded', (a, b) => a.ttftP90Ms / b.ttftP90Ms), (v) => v <= 1.05);
    add('no-sharing', 'throughput within 5% of least-loaded (ratio)', perSeed(control, 'least-loaded', (a, b) => a.throughputRps / b.throughputRps), (v) => v >= 0.95);
  }
  return out;
}

function table(results: WorkloadResult[], checks: Target[]): string {
  const lines: string[] = [];
  const m = (cell: Cell, key: Metric) => median(cell.runs.map((r) => r[key]));
  lines.push(`Simulated fleet: ${DEFAULT_FLEET.replicas} replicas, offered load ${Math.round(load * 100)}% of cold capacity, ${seeds} seed(s); medians over seeds.`, '');
  for (const w of results) {
    lines.push(`${w.workload}: ${w.description} (cold capacity ${median(w.capacityRps).toFixed(2)} req/s; hit-rate ceiling for any router ${(median(w.ceiling) * 100).toFixed(1)}%)`);
    lines.push('| policy | hit rate | p50 TTFT ms | p90 TTFT ms | p99 TTFT ms | max/mean load | max/mean requests | req/s | decision p99 µs |');
    lines.push('|---|---|---|---|---|---|---|---|---|');
    for (const cell of w.cells) {
      lines.push(`| ${cell.runs[0]!.policy} | ${(m(cell, 'hitRate') * 100).toFixed(1)}% | ${m(cell, 'ttftP50Ms').toFixed(0)} | ${m(cell, 'ttftP90Ms').toFixed(0)} | ${m(cell, 'ttftP99Ms').toFixed(0)} | ${m(cell, 'loadMaxOverMean').toFixed(2)} | ${m(cell, 'requestsMaxOverMean').toFixed(2)} | ${m(cell, 'throughputRps').toFixed(2)} | ${m(cell, 'decisionP99Us').toFixed(0)} |`);
    }
    lines.push('');
  }
  lines.push('| workload | target | per seed | median | pass |', '|---|---|---|---|---|');
  const verdict = (t: Target) => (t.bound ? (t.pass ? '2× reachable' : '2× unreachable') : t.pass ? 'yes' : 'NO');
  for (const t of checks) lines.push(`| ${t.workload} | ${t.target} | ${t.perSeed.map((v) => v.toFixed(2)).join(', ')} | ${t.median.toFixed(2)} | ${verdict(t)} |`);
  return lines.join('\n');
}

const only = process.env.AFFINITY_WORKLOADS?.split(',');
const results = WORKLOADS.filter((w) => !only || only.includes(w.name)).map(runWorkload);
const checks = targets(results);
const text = table(results, checks);
const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'affinity-latest.json'), `${JSON.stringify({ date: new Date().toISOString(), seeds, load, scale, fleet: DEFAULT_FLEET, targets: checks, results }, null, 2)}\n`);
writeFileSync(join(out, 'affinity-latest.md'), `${text}\n`);
process.stdout.write(`${text}\n`);
