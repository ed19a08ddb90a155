/**
 * npm run bench:overload: does admission control keep interactive latency under a 2× overload?
 *
 * Target (issue #7): under a simulated 2× overload, interactive p99 latency stays within 1.5× its unloaded
 * value with at most 1% of interactive requests shed, while deferrable work completes before its deadlines.
 *
 * Every process is separate: a simulated upstream whose every call takes a fixed service time (the simulator's
 * --latency-ms), Tidegate in front of it with a concurrency limit on the one model (capacity = concurrency /
 * service time) and every scheduling setting at its default, and this load generator. Arrivals are open loop
 * (Poisson, seeded: the interactive stream is the same in both phases and in every run) and latency counts from
 * the intended send time.
 *
 *   Phase 1, unloaded: interactive requests alone at 30% of capacity (after an unmeasured warm-up).
 *   Phase 2, 2× overload: the same interactive stream, plus standard requests and deferrable submissions, in all
 *   2× capacity. Deferrable work is split in two: a tight deadline (65 s: the planner's latest start, deadline
 *   less 60 s, falls inside the overload, so the runner must take its urgent path, the standard queue) and a
 *   loose one (10 min: valley filling, expected to run once the peak has passed). After the phase, every job is
 *   polled (GET /v1/jobs/{id}) until it ends; a job that did not succeed, or finished after its deadline, is a miss.
 *
 * Each run starts a fresh simulator and gateway; the run is repeated (default 2) and the table shows medians.
 *
 *   OVERLOAD_RUNS, OVERLOAD_PHASE_S, OVERLOAD_SERVICE_MS, OVERLOAD_CONCURRENCY, OVERLOAD_TIGHT_DEADLINE_S  sizes
 *   OVERLOAD_SCHEDULING  a diagnostic only, e.g. "interactiveReserve: 0.375, queueDepth: 100000": scheduling settings
 *   other than the defaults (results then go to the temporary directory, never to bench/results)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { dist, median, sleep, startChild, stopChild, type Child, type Dist } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  runs: env('OVERLOAD_RUNS', 2),
  phaseMs: env('OVERLOAD_PHASE_S', 15) * 1000,
  warmupMs: 2000,
  serviceMs: env('OVERLOAD_SERVICE_MS', 100),
  concurrency: env('OVERLOAD_CONCURRENCY', 8),
  tightDeadlineS: env('OVERLOAD_TIGHT_DEADLINE_S', 65),
  looseDeadlineS: 600,
  /** Shares of capacity: interactive alone in phase 1; the phase-2 mix adds up to `overload`. */
  interactiveShare: 0.3,
  overload: 2,
  deferrableShare: 0.2, // of capacity: tight + loose, half each
  scheduling: process.env.OVERLOAD_SCHEDULING,
};
const capacity = (settings.concurrency * 1000) / settings.serviceMs; // req/s the model can serve
const rates = {
  interactive: capacity * settings.interactiveShare,
  deferrableTight: (capacity * settings.deferrableShare) / 2,
  deferrableLoose: (capacity * settings.deferrableShare) / 2,
  standard: capacity * (settings.overload - settings.interactiveShare - settings.deferrableShare),
};
const target = { p99Ratio: 1.5, interactiveShedShare: 0.01, deadlineMisses: 0 };

const progress = (text: string) => process.stderr.write(`[bench:overload ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const ADMIN = 'bench-admin';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` };
const body = (content: string) => JSON.stringify({ model: 'bench-model', max_tokens: 16, messages: [{ role: 'user', content }] });

/** CPU seconds (user + system) a process has used so far, from /proc (Linux; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** mulberry32: a small seeded generator, so every run sees the same arrival times. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson arrivals: offsets (ms) from the phase start, up to `durationMs`. */
function arrivals(ratePerSecond: number, durationMs: number, seed: number): number[] {
  const next = random(seed);
  const out: number[] = [];
  let at = 0;
  for (;;) {
    at += (-Math.log(1 - next()) / ratePerSecond) * 1000;
    if (at >= durationMs) return out;
    out.push(at);
  }
}

interface Outcome { at: number; status: number; ms: number; queueMs: number | undefined; code?: string; jobId?: string; deadline?: string }

interface Stream {
  name: string;
  offsets: number[];
  headers: Record<string, string>;
  content: (index: number) => string;
}

/** Fires every stream's requests at their scheduled times (open loop); resolves when every answer is in. */
async function runStreams(agent: Agent, url: string, streams: Stream[]): Promise<Record<string, Outcome[]>> {
  const events = streams.flatMap((stream) => stream.offsets.map((offset, index) => ({ stream, offset, index }))).sort((a, b) => a.offset - b.offset);
  const results: Record<string, Outcome[]> = Object.fromEntries(streams.map((stream) => [stream.name, []]));
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  const fire = (event: (typeof events)[number]) => {
    const intended = start + event.offset;
    inflight.push(
      request(url, { method: 'POST', headers: event.stream.headers, body: body(event.stream.content(event.index)), dispatcher: agent })
        .then(async (response) => {
          const text = await response.body.text();
          const done = performance.now();
          const queue = response.headers['x-tidegate-queue-ms'];
          const outcome: Outcome = { at: event.offset, status: response.statusCode, ms: done - intended, queueMs: typeof queue === 'string' ? Number(queue) : undefined };
          if (response.statusCode !== 200) {
            try {
              const parsed = JSON.parse(text) as { id?: string; deadline?: string; error?: { code?: string } };
              if (response.statusCode === 202) {
                outcome.jobId = parsed.id;
                outcome.deadline = parsed.deadline;
              } else outcome.code = parsed.error?.code;
            } catch {
              outcome.code = text.slice(0, 80);
            }
          }
          results[event.stream.name]!.push(outcome);
        })
        .catch((error: unknown) => {
          results[event.stream.name]!.push({ at: event.offset, status: 0, ms: performance.now() - intended, queueMs: undefined, code: error instanceof Error ? error.message : String(error) });
        }),
    );
  };
  let next = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now() - start;
      while (next < events.length && events[next]!.offset <= now) fire(events[next++]!);
      if (next >= events.length) done();
      else setTimeout(tick, Math.max(0, Math.min(1, events[next]!.offset - (performance.now() - start))));
    };
    tick();
  });
  await Promise.all(inflight);
  return results;
}

interface ClassFigures {
  sent: number; ok: number; shed: number; shedShare: number; otherErrors: number; latency: Dist; queueMs: Dist; shedCodes: Record<string, number>;
  /** Latency less the admission wait (x-tidegate-queue-ms): the call itself, the gateway's and the machine's share. */
  outsideQueueMs: Dist;
  /** The five slowest answers: when they were sent (s into the phase), latency and queue wait (ms). */
  slowest: Array<{ atS: number; ms: number; queueMs: number | undefined }>;
}

function figures(outcomes: Outcome[]): ClassFigures {
  const ok = outcomes.filter((o) => o.status === 200);
  const shed = outcomes.filter((o) => o.status === 429);
  const shedCodes: Record<string, number> = {};
  for (const o of shed) shedCodes[o.code ?? '?'] = (shedCodes[o.code ?? '?'] ?? 0) + 1;
  return {
    sent: outcomes.length,
    ok: ok.length,
    shed: shed.length,
    shedShare: outcomes.length === 0 ? 0 : shed.length / outcomes.length,
    otherErrors: outcomes.length - ok.length - shed.length,
    latency: dist(ok.map((o) => o.ms)),
    queueMs: dist(ok.map((o) => o.queueMs ?? NaN).filter(Number.isFinite)),
    shedCodes,
    outsideQueueMs: dist(ok.filter((o) => o.queueMs !== undefined).map((o) => o.ms - o.queueMs!)),
    slowest: [...ok].sort((a, b) => b.ms - a.ms).slice(0, 5).map((o) => ({ atS: Math.round(o.at) / 1000, ms: Math.round(o.ms * 10) / 10, queueMs: o.queueMs })),
  };
}

interface JobFigures {
  submitted: number;
  accepted: number;
  succeeded: number;
  failed: number;
  unfinished: number;
  onTime: number;
  misses: number;
  failureCodes: Record<string, number>;
  /** Seconds from submission to the end of the job (succeeded ones), and the slack left before the deadline. */
  completionS: Dist;
  slackS: Dist;
  /** Jobs that started while the overload was still on. */
  startedDuringOverload: number;
}

/** Polls every job until it ends (or `limitMs` passes); a job is on time when it succeeded before its deadline. */
async function settleJobs(agent: Agent, base: string, outcomes: Outcome[], overloadEnd: number, limitMs: number): Promise<JobFigures> {
  const ids = outcomes.filter((o) => o.status === 202 && o.jobId).map((o) => o.jobId!);
  const views = new Map<string, { status: string; created_at: string; started_at: string | null; finished_at: string | null; deadline: string; error: { code?: string } | null }>();
  const until = Date.now() + limitMs;
  let pending = ids;
  while (pending.length > 0 && Date.now() < until) {
    for (const id of pending) {
      const response = await request(`${base}/v1/jobs/${id}`, { headers, dispatcher: agent });
      views.set(id, (await response.body.json()) as never);
    }
    pending = ids.filter((id) => ['queued', 'running', 'in_progress'].includes(views.get(id)?.status ?? 'queued'));
    if (pending.length > 0) await sleep(500);
  }
  const figures: JobFigures = { submitted: outcomes.length, accepted: ids.length, succeeded: 0, failed: 0, unfinished: 0, onTime: 0, misses: 0, failureCodes: {}, completionS: dist([]), slackS: dist([]), startedDuringOverload: 0 };
  const completion: number[] = [];
  const slack: number[] = [];
  for (const id of ids) {
    const view = views.get(id);
    const finished = view?.finished_at ? Date.parse(view.finished_at) : NaN;
    const deadline = view ? Date.parse(view.deadline) : NaN;
    if (view?.started_at && Date.parse(view.started_at) <= overloadEnd) figures.startedDuringOverload += 1;
    if (view?.status === 'succeeded') {
      figures.succeeded += 1;
      completion.push((finished - Date.parse(view.created_at)) / 1000);
      slack.push((deadline - finished) / 1000);
      if (finished <= deadline) figures.onTime += 1;
    } else if (view?.status === 'failed') {
      figures.failed += 1;
      const code = view.error?.code ?? '?';
      figures.failureCodes[code] = (figures.failureCodes[code] ?? 0) + 1;
    } else figures.unfinished += 1;
  }
  // A submission the gateway refused is work that was not done either.
  figures.misses = outcomes.length - figures.onTime;
  figures.completionS = dist(completion);
  figures.slackS = dist(slack);
  return figures;
}

interface RunResult {
  unloaded: { interactive: ClassFigures };
  overload: { interactive: ClassFigures; standard: ClassFigures; deferrableTight: JobFigures; deferrableLoose: JobFigures; deferrableRefused: Record<string, number> };
  p99Ratio: number;
  p50Ratio: number;
  loadGeneratorLagP99Ms: number;
  /** The gateway's CPU use (share of one core) in each phase. */
  gatewayCpu: { unloaded: number; overload: number };
  gatewayScheduling: unknown;
}

async function oneRun(run: number): Promise<RunResult> {
  const children: Child[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-bench-overload-'));
  const agent = new Agent({ connections: 4096, keepAliveTimeout: 30_000, headersTimeout: 90_000, bodyTimeout: 90_000 });
  try {
    const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0', '--latency-ms', String(settings.serviceMs)], 'stdout', /\{.*\}\n/);
    children.push(sim.child);
    const upstream = `${JSON.parse(sim.match[0]).url as string}/openai-compatible/v1`;
    // Scheduling at its defaults; only the model's concurrency is stated (that is what defines capacity).
    writeFileSync(join(dir, 'overload.yaml'), `server: { port: 0 }
admin: { key: ${ADMIN} }
storage: { url: "sqlite:${join(dir, 'overload.db')}" }
${settings.scheduling === undefined ? '' : `scheduling: { ${settings.scheduling} }\n`}providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${upstream}" }
models:
  - { id: bench-model, provider: upstream, price: { input: 1, output: 2 }, limits: { concurrency: ${settings.concurrency} } }
`);
    const gateway = await startChild('tidegate', process.execPath, [join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, 'overload.yaml')], 'stderr', /"url":"(http:[^"]+)"/);
    children.push(gateway.child);
    const base = gateway.match[1]!;
    const url = `${base}/v1/chat/completions`;
    const interactiveHeaders = { ...headers, 'x-tidegate-priority': 'interactive' };
    const interactiveOffsets = arrivals(rates.interactive, settings.phaseMs, 7);
    let question = 0;
    const interactive = (offsets: number[]): Stream => ({ name: 'interactive', offsets, headers: interactiveHeaders, content: (i) => `interactive ${run}-${question++}-${i}` });

    progress(`run ${run + 1}/${settings.runs}: warm-up, then phase 1 (unloaded): interactive alone at ${rates.interactive.toFixed(0)} req/s for ${settings.phaseMs / 1000} s`);
    await runStreams(agent, url, [interactive(arrivals(rates.interactive, settings.warmupMs, 99))]);
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const pid = gateway.child.process.pid;
    let cpuAt = cpuSeconds(pid);
    let wallAt = performance.now();
    const cpuShare = () => {
      const [cpu, wall] = [cpuSeconds(pid), performance.now()];
      const share = (cpu - cpuAt) / ((wall - wallAt) / 1000);
      [cpuAt, wallAt] = [cpu, wall];
      return share;
    };
    const unloaded = await runStreams(agent, url, [interactive(interactiveOffsets)]);
    const cpuUnloaded = cpuShare();

    progress(`run ${run + 1}/${settings.runs}: phase 2 (${settings.overload}× overload): interactive ${rates.interactive.toFixed(0)} + standard ${rates.standard.toFixed(0)} + deferrable ${(rates.deferrableTight + rates.deferrableLoose).toFixed(0)} req/s (capacity ${capacity.toFixed(0)})`);
    const phase2Start = Date.now();
    const overloadEnd = phase2Start + settings.phaseMs;
    const overload = await runStreams(agent, url, [
      interactive(interactiveOffsets),
      { name: 'standard', offsets: arrivals(rates.standard, settings.phaseMs, 11), headers: { ...headers, 'x-tidegate-priority': 'standard' }, content: (i) => `standard ${run}-${i}` },
      { name: 'deferrableTight', offsets: arrivals(rates.deferrableTight, settings.phaseMs, 13), headers: { ...headers, 'x-tidegate-priority': 'deferrable', 'x-tidegate-deadline': `${settings.tightDeadlineS}s` }, content: (i) => `tight ${run}-${i}` },
      { name: 'deferrableLoose', offsets: arrivals(rates.deferrableLoose, settings.phaseMs, 17), headers: { ...headers, 'x-tidegate-priority': 'deferrable', 'x-tidegate-deadline': `${settings.looseDeadlineS}s` }, content: (i) => `loose ${run}-${i}` },
    ]);
    lag.disable();
    const cpuOverload = cpuShare();
    progress(`run ${run + 1}/${settings.runs}: every answer in ${((Date.now() - phase2Start) / 1000).toFixed(1)} s after the overload began; polling the deferred jobs`);
    const scheduling = await (await request(`${base}/admin/scheduling`, { headers, dispatcher: agent })).body.json();
    const limitMs = settings.tightDeadlineS * 1000 + 10_000; // the tight jobs' deadline passes within this
    const [tight, loose] = [await settleJobs(agent, base, overload.deferrableTight!, overloadEnd, limitMs), await settleJobs(agent, base, overload.deferrableLoose!, overloadEnd, limitMs)];
    const refused: Record<string, number> = {};
    for (const o of [...overload.deferrableTight!, ...overload.deferrableLoose!]) if (o.status !== 202) refused[`${o.status} ${o.code ?? ''}`.trim()] = (refused[`${o.status} ${o.code ?? ''}`.trim()] ?? 0) + 1;
    const unloadedFigures = figures(unloaded.interactive!);
    const overloadInteractive = figures(overload.interactive!);
    progress(`run ${run + 1}/${settings.runs}: jobs settled ${((Date.now() - overloadEnd) / 1000).toFixed(1)} s after the overload ended`);
    return {
      unloaded: { interactive: unloadedFigures },
      overload: { interactive: overloadInteractive, standard: figures(overload.standard!), deferrableTight: tight, deferrableLoose: loose, deferrableRefused: refused },
      p99Ratio: overloadInteractive.latency.p99 / unloadedFigures.latency.p99,
      p50Ratio: overloadInteractive.latency.p50 / unloadedFigures.latency.p50,
      loadGeneratorLagP99Ms: lag.percentile(99) / 1e6,
      gatewayCpu: { unloaded: cpuUnloaded, overload: cpuOverload },
      gatewayScheduling: scheduling,
    };
  } finally {
    await agent.close();
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const results: RunResult[] = [];
  for (let run = 0; run < settings.runs; run++) results.push(await oneRun(run));
  const med = (pick: (r: RunResult) => number) => median(results.map(pick));
  const sum = (pick: (r: RunResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  const summary = {
    unloadedInteractive: { p50: med((r) => r.unloaded.interactive.latency.p50), p99: med((r) => r.unloaded.interactive.latency.p99) },
    overloadInteractive: {
      p50: med((r) => r.overload.interactive.latency.p50),
      p99: med((r) => r.overload.interactive.latency.p99),
      queueP99: med((r) => r.overload.interactive.queueMs.p99),
      shedShare: med((r) => r.overload.interactive.shedShare),
    },
    overloadStandard: {
      p50: med((r) => r.overload.standard.latency.p50),
      p99: med((r) => r.overload.standard.latency.p99),
      queueP50: med((r) => r.overload.standard.queueMs.p50),
      queueP99: med((r) => r.overload.standard.queueMs.p99),
      shedShare: med((r) => r.overload.standard.shedShare),
    },
    p99Ratio: med((r) => r.p99Ratio),
    p50Ratio: med((r) => r.p50Ratio),
    deadlineMisses: {
      tight: sum((r) => r.overload.deferrableTight.misses),
      loose: sum((r) => r.overload.deferrableLoose.misses),
    },
    deferredJobs: sum((r) => r.overload.deferrableTight.submitted + r.overload.deferrableLoose.submitted),
  };
  const verdict = {
    p99WithinTarget: summary.p99Ratio <= target.p99Ratio,
    shedWithinTarget: summary.overloadInteractive.shedShare <= target.interactiveShedShare,
    noDeadlineMisses: summary.deadlineMisses.tight + summary.deadlineMisses.loose === target.deadlineMisses,
  };
  const pass = verdict.p99WithinTarget && verdict.shedWithinTarget && verdict.noDeadlineMisses;
  const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  const per = (pick: (r: RunResult) => string) => results.map(pick).join(' / ');
  const table = [
    `Overload: model with concurrency ${settings.concurrency}, ${settings.serviceMs} ms per call (capacity ${f(capacity, 0)} req/s), scheduling ${settings.scheduling === undefined ? 'defaults' : `{ ${settings.scheduling} }`}; ${settings.runs} run(s), medians (per run after "|")`,
    `  ${'figure'.padEnd(52)} value`,
    `  ${'unloaded interactive (30%) p50 / p99 (ms)'.padEnd(52)} ${f(summary.unloadedInteractive.p50)} / ${f(summary.unloadedInteractive.p99)}   | ${per((r) => `${f(r.unloaded.interactive.latency.p50)}/${f(r.unloaded.interactive.latency.p99)}`)}`,
    `  ${'2× overload: interactive p50 / p99 (ms)'.padEnd(52)} ${f(summary.overloadInteractive.p50)} / ${f(summary.overloadInteractive.p99)}   | ${per((r) => `${f(r.overload.interactive.latency.p50)}/${f(r.overload.interactive.latency.p99)}`)}`,
    `  ${'interactive p99 overload / unloaded (target ≤ 1.5)'.padEnd(52)} ${f(summary.p99Ratio, 2)}   | ${per((r) => f(r.p99Ratio, 2))}`,
    `  ${'interactive queue wait p99 (ms)'.padEnd(52)} ${f(summary.overloadInteractive.queueP99)}   | ${per((r) => f(r.overload.interactive.queueMs.p99))}`,
    `  ${'interactive latency less queue wait p99, unl. / ovl.'.padEnd(52)} ${per((r) => `${f(r.unloaded.interactive.outsideQueueMs.p99)}/${f(r.overload.interactive.outsideQueueMs.p99)}`)}`,
    `  ${'interactive shed (429) (target ≤ 1%)'.padEnd(52)} ${pct(summary.overloadInteractive.shedShare)}   | ${per((r) => `${r.overload.interactive.shed}/${r.overload.interactive.sent}`)}`,
    `  ${'standard p50 / p99 (ms), answered ones'.padEnd(52)} ${f(summary.overloadStandard.p50)} / ${f(summary.overloadStandard.p99)}   | ${per((r) => `${f(r.overload.standard.latency.p50)}/${f(r.overload.standard.latency.p99)}`)}`,
    `  ${'standard queue wait p50 / p99 (ms)'.padEnd(52)} ${f(summary.overloadStandard.queueP50)} / ${f(summary.overloadStandard.queueP99)}   | ${per((r) => `${f(r.overload.standard.queueMs.p50)}/${f(r.overload.standard.queueMs.p99)}`)}`,
    `  ${'standard shed (429)'.padEnd(52)} ${pct(summary.overloadStandard.shedShare)}   | ${per((r) => `${r.overload.standard.shed}/${r.overload.standard.sent} ${JSON.stringify(r.overload.standard.shedCodes)}`)}`,
    `  ${`deferrable, deadline ${settings.tightDeadlineS} s: on time / submitted`.padEnd(52)} ${per((r) => `${r.overload.deferrableTight.onTime}/${r.overload.deferrableTight.submitted}`)}   | failed ${per((r) => JSON.stringify(r.overload.deferrableTight.failureCodes))}, started during overload ${per((r) => String(r.overload.deferrableTight.startedDuringOverload))}`,
    `  ${`deferrable, deadline ${settings.looseDeadlineS} s: on time / submitted`.padEnd(52)} ${per((r) => `${r.overload.deferrableLoose.onTime}/${r.overload.deferrableLoose.submitted}`)}   | failed ${per((r) => JSON.stringify(r.overload.deferrableLoose.failureCodes))}, started during overload ${per((r) => String(r.overload.deferrableLoose.startedDuringOverload))}`,
    `  ${'deferrable submission to completion p50 / max (s)'.padEnd(52)} tight ${per((r) => `${f(r.overload.deferrableTight.completionS.p50)}/${f(r.overload.deferrableTight.completionS.max)}`)}; loose ${per((r) => `${f(r.overload.deferrableLoose.completionS.p50)}/${f(r.overload.deferrableLoose.completionS.max)}`)}`,
    `  ${'gateway CPU, unloaded / overload (cores)'.padEnd(52)} ${per((r) => `${f(r.gatewayCpu.unloaded, 2)}/${f(r.gatewayCpu.overload, 2)}`)}`,
    `  ${'load generator event-loop lag p99 (ms)'.padEnd(52)} ${per((r) => f(r.loadGeneratorLagP99Ms))}`,
    `  verdict: p99 ${verdict.p99WithinTarget ? 'PASS' : 'FAIL'}, interactive shed ${verdict.shedWithinTarget ? 'PASS' : 'FAIL'}, deadlines ${verdict.noDeadlineMisses ? 'PASS' : 'FAIL'} (${summary.deadlineMisses.tight + summary.deadlineMisses.loose} missed of ${summary.deferredJobs}) => ${pass ? 'PASS' : 'FAIL'}`,
  ].join('\n');
  process.stdout.write(`${table}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  // A diagnostic run (a setting changed) never replaces the results of the default configuration.
  const file = settings.scheduling === undefined ? join(root, 'bench/results/overload-latest.json') : join(tmpdir(), 'tidegate-overload-diagnostic.json');
  progress(`results: ${file}`);
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, settings, capacity, rates, target, summary, verdict, pass, results }, null, 1)}\n`);
}

await main();
