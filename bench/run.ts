/**
 * npm run bench: what Tidegate costs on the request path, measured against a direct call to the same fake
 * upstream and against Portkey's open-source gateway, all in the same run.
 *
 * Every process is separate: two simulators (instant, and one that streams with a small per-token delay),
 * Tidegate with logging/metering/routing ON, Tidegate with them OFF (bare proxy), and Portkey. The load is
 * generated from this process. Each figure is measured for every target in turn, alternating the order
 * between runs, and the run is repeated (default 3): the table shows medians over runs, and ratios are
 * computed inside each run before taking the median. The machine is small and shared: read the ratios,
 * not the absolute numbers alone.
 *
 *   --quick (or BENCH_QUICK=1)   one run with short phases (~1 minute); the test suite runs it so it never rots
 *   BENCH_RESULTS_DIR   where the JSON goes (default bench/results)
 *   BENCH_RUNS, BENCH_SEQ, BENCH_PHASE_S, BENCH_TTFT_N, BENCH_TOKEN_DELAY_MS  override the sizes
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent } from 'undici';
import { closedLoop, dist, freePort, median, memoryOf, once, onceStreamed, openLoop, sleep, startChild, stopChild, type Child, type Dist, type LoadResult, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  runs: env('BENCH_RUNS', quick ? 1 : 3),
  sequential: env('BENCH_SEQ', quick ? 300 : 600),
  warmup: env('BENCH_WARMUP', quick ? 150 : 250),
  phaseMs: env('BENCH_PHASE_S', quick ? 2 : 4) * 1000,
  rates: [100, 1000],
  concurrency: 50,
  ttftN: env('BENCH_TTFT_N', quick ? 25 : 40),
  tokenDelayMs: env('BENCH_TOKEN_DELAY_MS', 2),
};

const progress = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

type Key = 'direct' | 'floor' | 'tgOn' | 'tgAuto' | 'tgOff' | 'portkey';
const LABELS: Record<Key, string> = {
  direct: 'direct to upstream',
  floor: 'Node floor proxy',
  tgOn: 'Tidegate ON',
  tgAuto: 'Tidegate ON, model auto',
  tgOff: 'Tidegate OFF (bare)',
  portkey: 'Portkey 1.15.2',
};
const GATEWAYS = ['floor', 'tgOn', 'tgOff', 'portkey'] as const;
/** Targets of the load phases (open and closed loop, streaming); tgAuto is measured sequentially only. */
const LOAD_KEYS = ['direct', 'floor', 'tgOn', 'tgOff', 'portkey'] as const;

const prompt = 'Benchmark prompt: say hello.';
const chatBody = (model: string, stream = false) => JSON.stringify({ model, messages: [{ role: 'user', content: prompt }], ...(stream ? { stream: true } : {}) });

interface Processes { children: Child[]; targets: Record<Key, Target>; streamTargets: Record<Exclude<Key, 'tgAuto'>, Target>; pids: Record<(typeof GATEWAYS)[number], number | undefined>; dir: string; autoNote: string }

async function startAll(): Promise<Processes> {
  const children: Child[] = [];
  const sim = (args: string[]) => startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0', ...args], 'stdout', /\{.*\}\n/);
  const [fast, slow] = await Promise.all([sim([]), sim(['--token-delay-ms', String(settings.tokenDelayMs)])]);
  children.push(fast.child, slow.child);
  const fastUrl = JSON.parse(fast.match[0]).url as string;
  const slowUrl = JSON.parse(slow.match[0]).url as string;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-bench-'));
  const providers = `providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${fastUrl}/openai-compatible/v1" }
  - { id: slow, preset: openai-compatible, baseUrl: "${slowUrl}/openai-compatible/v1" }
`;
  // ON: request log on (default), priced models, an explicit auto route between a light and a flagship model.
  writeFileSync(join(dir, 'on.yaml'), `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'on.db')}" }
requestLog: { enabled: true }
${providers}models:
  - { id: bench-model, provider: upstream, tier: flagship, price: { input: 1, output: 2 } }
  - { id: bench-light, provider: upstream, tier: light, price: { input: 0.1, output: 0.2 } }
  - { id: bench-stream, provider: slow, upstream: bench-model, price: { input: 1, output: 2 } }
routes:
  - { id: auto, light: [bench-light], flagship: [bench-model], qualityTarget: 0.95 }
`);
  // OFF: the bare-proxy reference: no request log, unpriced models, no routes.
  writeFileSync(join(dir, 'off.yaml'), `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'off.db')}" }
requestLog: { enabled: false }
${providers}models:
  - { id: bench-model, provider: upstream }
  - { id: bench-stream, provider: slow, upstream: bench-model }
`);
  const tidegate = (file: string) => startChild(`tidegate ${file}`, process.execPath, [join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, file)], 'stderr', /"url":"(http:[^"]+)"/);
  const portkeyBin = join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  if (!existsSync(portkeyBin)) throw new Error(`${portkeyBin} is missing: run npm install (Portkey is a dev dependency)`);
  const portkeyPort = await freePort();
  const [floor, on, off, portkey] = await Promise.all([
    startChild('floor proxy', process.execPath, [join(root, 'dist/bench/floor-proxy.js'), '--upstream', fastUrl, '--slow-upstream', slowUrl], 'stdout', /\{"url":"(http:[^"]+)"\}/),
    tidegate('on.yaml'),
    tidegate('off.yaml'),
    startChild('portkey', process.execPath, [portkeyBin, `--port=${portkeyPort}`, '--headless'], 'stdout', /Ready for connections/, { env: { ...process.env, NODE_ENV: 'production' } }),
  ]);
  children.push(floor.child, on.child, off.child, portkey.child);
  const json = { 'content-type': 'application/json', authorization: 'Bearer bench' };
  const portkeyHeaders = (upstream: string) => ({ ...json, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream}/openai-compatible/v1` });
  const onUrl = `${on.match[1]}/v1/chat/completions`;
  const offUrl = `${off.match[1]}/v1/chat/completions`;
  const portkeyUrl = `http://127.0.0.1:${portkeyPort}/v1/chat/completions`;
  const target = (key: Key, url: string, headers: Record<string, string>, model: string, streamModel = model): Target => ({ key, label: LABELS[key], url, headers, body: chatBody(model), streamBody: chatBody(streamModel, true) });
  const targets: Record<Key, Target> = {
    direct: target('direct', `${fastUrl}/openai-compatible/v1/chat/completions`, json, 'bench-model'),
    floor: target('floor', `${floor.match[1]}/openai-compatible/v1/chat/completions`, json, 'bench-model'),
    tgOn: target('tgOn', onUrl, json, 'bench-model', 'bench-stream'),
    tgAuto: target('tgAuto', onUrl, json, 'auto'),
    tgOff: target('tgOff', offUrl, json, 'bench-model', 'bench-stream'),
    portkey: target('portkey', portkeyUrl, portkeyHeaders(fastUrl), 'bench-model'),
  };
  const streamTargets = {
    direct: { ...targets.direct, url: `${slowUrl}/openai-compatible/v1/chat/completions` },
    floor: { ...targets.floor, url: `${floor.match[1]}/slow/openai-compatible/v1/chat/completions` },
    tgOn: targets.tgOn,
    tgOff: targets.tgOff,
    portkey: { ...targets.portkey, headers: portkeyHeaders(slowUrl) },
  };
  // Each target must serve one plain and one streamed request before anything is measured.
  const agent = new Agent({ connections: 2 });
  let autoNote = '';
  try {
    for (const key of Object.keys(targets) as Key[]) {
      try {
        const { headers } = await once(targets[key], agent);
        if (key === 'tgAuto') autoNote = `model auto served by ${String(headers['x-tidegate-model'])}; route reason: ${String(headers['x-tidegate-route-reason'])}`;
      } catch (error) {
        if (key !== 'tgAuto') throw error;
        autoNote = `model auto FAILED (${error instanceof Error ? error.message : String(error)}); measured with the plain model instead`;
        targets.tgAuto = { ...targets.tgAuto, body: chatBody('bench-model') };
        await once(targets.tgAuto, agent);
      }
    }
    for (const key of Object.keys(streamTargets) as Array<keyof typeof streamTargets>) await onceStreamed(streamTargets[key], agent);
  } finally {
    await agent.close();
  }
  const pid = (child: Child) => child.process.pid;
  return { children, targets, streamTargets, pids: { floor: pid(floor.child), tgOn: pid(on.child), tgOff: pid(off.child), portkey: pid(portkey.child) }, dir, autoNote };
}

/** Rotates the order of the targets from run to run so that none is always measured first. */
const rotate = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length]!);

interface RunResult {
  run: number;
  autoNote: string;
  sequential: Record<Key, Dist>;
  rates: Record<string, Partial<Record<Key, LoadResult>>>;
  closed: Partial<Record<Key, LoadResult>>;
  ttft: Partial<Record<Key, { ttft: Dist; total: Dist }>>;
  memory: Record<(typeof GATEWAYS)[number], { hwmMiB: number; rssMiB: number; startRssMiB: number } | null>;
}

async function oneRun(run: number): Promise<RunResult> {
  progress(`run ${run + 1}/${settings.runs}: starting simulators, the Node floor proxy, Tidegate ON/OFF and Portkey`);
  const p = await startAll();
  try {
    const startMem = Object.fromEntries(GATEWAYS.map((key) => [key, memoryOf(p.pids[key])?.rssMiB ?? NaN])) as Record<(typeof GATEWAYS)[number], number>;
    const keys = rotate(Object.keys(p.targets) as Key[], run);
    const seqAgent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    progress(`run ${run + 1}: warm-up (${settings.warmup} per target); ${p.autoNote}`);
    for (let i = 0; i < settings.warmup; i += 1) for (const key of keys) await once(p.targets[key], seqAgent);
    progress(`run ${run + 1}: sequential, ${settings.sequential} requests per target, interleaved`);
    const seq = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<Key, number[]>;
    for (let i = 0; i < settings.sequential; i += 1) for (const key of keys) seq[key].push((await once(p.targets[key], seqAgent)).ms);
    await seqAgent.close();

    const loadKeys = rotate(LOAD_KEYS, run);
    const rates: RunResult['rates'] = {};
    for (const rate of settings.rates) {
      rates[rate] = {};
      for (const key of loadKeys) {
        progress(`run ${run + 1}: open loop ${rate} req/s for ${settings.phaseMs / 1000} s -> ${LABELS[key]}`);
        rates[rate]![key] = await openLoop(p.targets[key], rate, settings.phaseMs);
        await sleep(300);
      }
    }
    const closed: RunResult['closed'] = {};
    for (const key of loadKeys) {
      progress(`run ${run + 1}: closed loop, ${settings.concurrency} connections for ${settings.phaseMs / 1000} s -> ${LABELS[key]}`);
      closed[key] = await closedLoop(p.targets[key], settings.concurrency, settings.phaseMs);
      await sleep(300);
    }
    progress(`run ${run + 1}: streamed TTFT (token delay ${settings.tokenDelayMs} ms), ${settings.ttftN} per target, interleaved`);
    const streamAgent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
    const firsts = Object.fromEntries(loadKeys.map((key) => [key, [] as number[]])) as Record<string, number[]>;
    const totals = Object.fromEntries(loadKeys.map((key) => [key, [] as number[]])) as Record<string, number[]>;
    for (const key of loadKeys) for (let i = 0; i < 5; i += 1) await onceStreamed(p.streamTargets[key], streamAgent);
    for (let i = 0; i < settings.ttftN; i += 1) {
      for (const key of loadKeys) {
        const r = await onceStreamed(p.streamTargets[key], streamAgent);
        firsts[key]!.push(r.ttftMs);
        totals[key]!.push(r.totalMs);
      }
    }
    await streamAgent.close();
    const ttft: RunResult['ttft'] = Object.fromEntries(loadKeys.map((key) => [key, { ttft: dist(firsts[key]!), total: dist(totals[key]!) }]));
    const memory = Object.fromEntries(GATEWAYS.map((key) => {
      const m = memoryOf(p.pids[key]);
      return [key, m ? { ...m, startRssMiB: startMem[key] } : null];
    })) as RunResult['memory'];
    const sequential = Object.fromEntries(keys.map((key) => [key, dist(seq[key])])) as Record<Key, Dist>;
    return { run, autoNote: p.autoNote, sequential, rates, closed, ttft, memory };
  } finally {
    await Promise.all(p.children.map((child) => stopChild(child)));
    rmSync(p.dir, { recursive: true, force: true });
  }
}

/** Router decision time, in-process: µs per score() call for a short and a ~10k-token prompt. */
async function routerTiming(): Promise<Record<string, { p50Us: number; p99Us: number; calls: number }> | string> {
  const file = join(root, 'dist/src/router/index.js');
  if (!existsSync(file)) return 'router not built';
  const module = (await import(pathToFileURL(file).href)) as { loadRouter: (path?: string) => { version: string; score: (m: Array<{ role: string; content?: unknown }>) => number } };
  const router = module.loadRouter();
  const words = ['integral', 'refactor', 'the', 'database', 'proof', 'latency', 'translate', 'python', 'why', 'summary', 'contract', 'theorem', 'budget', 'of', 'and', 'explain', 'step', 'compile', 'error', 'market'];
  let long = '';
  for (let i = 0; long.length < 45_000; i += 1) long += `${words[(i * 7) % words.length]}${i % 13 === 0 ? '. ' : ' '}${i % 97 === 0 ? `${i} ` : ''}`;
  const cases = {
    short: [{ role: 'user', content: 'What is the capital of France?' }],
    long10k: [{ role: 'system', content: 'You are a careful assistant.' }, { role: 'user', content: long }],
  };
  const out: Record<string, { p50Us: number; p99Us: number; calls: number }> = { };
  for (const [name, messages] of Object.entries(cases)) {
    const budgetMs = quick ? 500 : 1500;
    for (let i = 0; i < 20; i += 1) router.score(messages);
    const times: number[] = [];
    const start = performance.now();
    while (performance.now() - start < budgetMs && times.length < 200_000) {
      const t = performance.now();
      router.score(messages);
      times.push((performance.now() - t) * 1000);
    }
    const d = dist(times);
    out[name] = { p50Us: d.p50, p99Us: d.p99, calls: d.n };
  }
  return { ...out, version: router.version as never };
}

// ---- summary ---------------------------------------------------------------------------------------------

const f = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return `${line(header)}\n${rows.map(line).join('\n')}\n`;
};

function summarise(runs: RunResult[]) {
  const med = (pick: (r: RunResult) => number | undefined) => median(runs.map((r) => pick(r) ?? NaN));
  const allKeys = Object.keys(LABELS) as Key[];
  const loadKeys = LOAD_KEYS;
  const sequential = Object.fromEntries(allKeys.map((key) => [key, {
    p50: med((r) => r.sequential[key].p50), p99: med((r) => r.sequential[key].p99),
    addedP50: med((r) => r.sequential[key].p50 - r.sequential.direct.p50), addedP99: med((r) => r.sequential[key].p99 - r.sequential.direct.p99),
  }]));
  const rates = Object.fromEntries(settings.rates.map((rate) => [rate, Object.fromEntries(loadKeys.map((key) => [key, {
    p50: med((r) => r.rates[rate]?.[key]?.latency.p50), p99: med((r) => r.rates[rate]?.[key]?.latency.p99),
    addedP99: med((r) => (r.rates[rate]?.[key]?.latency.p99 ?? NaN) - (r.rates[rate]?.direct?.latency.p99 ?? NaN)),
    achievedRps: med((r) => r.rates[rate]?.[key]?.achievedRps), errors: runs.reduce((s, r) => s + (r.rates[rate]?.[key]?.errors ?? 0), 0),
  }]))]));
  const closed = Object.fromEntries(loadKeys.map((key) => [key, {
    rps: med((r) => r.closed[key]?.achievedRps), p50: med((r) => r.closed[key]?.latency.p50), p99: med((r) => r.closed[key]?.latency.p99),
    errors: runs.reduce((s, r) => s + (r.closed[key]?.errors ?? 0), 0),
  }]));
  const ttft = Object.fromEntries(loadKeys.map((key) => [key, {
    p50: med((r) => r.ttft[key]?.ttft.p50), p99: med((r) => r.ttft[key]?.ttft.p99),
    addedP50: med((r) => (r.ttft[key]?.ttft.p50 ?? NaN) - (r.ttft.direct?.ttft.p50 ?? NaN)),
    totalP50: med((r) => r.ttft[key]?.total.p50),
  }]));
  const memory = Object.fromEntries(GATEWAYS.map((key) => [key, { hwmMiB: med((r) => r.memory[key]?.hwmMiB), startRssMiB: med((r) => r.memory[key]?.startRssMiB) }]));
  // Ratios are taken inside each run, then the median over runs.
  const ratio = (a: (r: RunResult) => number | undefined, b: (r: RunResult) => number | undefined) => med((r) => (a(r) ?? NaN) / (b(r) ?? NaN));
  const added = (key: Key, p: 'p50' | 'p99') => (r: RunResult) => r.sequential[key][p] - r.sequential.direct[p];
  const ratios = {
    tidegateOn_vs_portkey: {
      sequential_added_p50: ratio(added('tgOn', 'p50'), added('portkey', 'p50')),
      sequential_added_p99: ratio(added('tgOn', 'p99'), added('portkey', 'p99')),
      sequential_p50: ratio((r) => r.sequential.tgOn.p50, (r) => r.sequential.portkey.p50),
      rate1000_p99: ratio((r) => r.rates[1000]?.tgOn?.latency.p99, (r) => r.rates[1000]?.portkey?.latency.p99),
      throughput_c50: ratio((r) => r.closed.tgOn?.achievedRps, (r) => r.closed.portkey?.achievedRps),
      ttft_added_p50: ratio((r) => (r.ttft.tgOn?.ttft.p50 ?? NaN) - (r.ttft.direct?.ttft.p50 ?? NaN), (r) => (r.ttft.portkey?.ttft.p50 ?? NaN) - (r.ttft.direct?.ttft.p50 ?? NaN)),
      peak_rss: ratio((r) => r.memory.tgOn?.hwmMiB, (r) => r.memory.portkey?.hwmMiB),
    },
    tidegateOff_vs_portkey: {
      sequential_added_p50: ratio(added('tgOff', 'p50'), added('portkey', 'p50')),
      throughput_c50: ratio((r) => r.closed.tgOff?.achievedRps, (r) => r.closed.portkey?.achievedRps),
    },
    tidegateOn_vs_off: {
      sequential_added_p50: ratio(added('tgOn', 'p50'), added('tgOff', 'p50')),
      rate1000_added_p99: ratio((r) => (r.rates[1000]?.tgOn?.latency.p99 ?? NaN) - (r.rates[1000]?.direct?.latency.p99 ?? NaN), (r) => (r.rates[1000]?.tgOff?.latency.p99 ?? NaN) - (r.rates[1000]?.direct?.latency.p99 ?? NaN)),
      throughput_c50: ratio((r) => r.closed.tgOn?.achievedRps, (r) => r.closed.tgOff?.achievedRps),
    },
    // The Node floor proxy: what any gateway on this runtime costs at least, in the same run.
    floor_vs_portkey: {
      throughput_c50: ratio((r) => r.closed.floor?.achievedRps, (r) => r.closed.portkey?.achievedRps),
      peak_rss: ratio((r) => r.memory.floor?.hwmMiB, (r) => r.memory.portkey?.hwmMiB),
    },
    tidegateOn_vs_floor: {
      sequential_added_p50: ratio(added('tgOn', 'p50'), added('floor', 'p50')),
      rate1000_added_p99: ratio((r) => (r.rates[1000]?.tgOn?.latency.p99 ?? NaN) - (r.rates[1000]?.direct?.latency.p99 ?? NaN), (r) => (r.rates[1000]?.floor?.latency.p99 ?? NaN) - (r.rates[1000]?.direct?.latency.p99 ?? NaN)),
      throughput_c50: ratio((r) => r.closed.tgOn?.achievedRps, (r) => r.closed.floor?.achievedRps),
    },
    tidegateOn_vs_direct: {
      sequential_p50: ratio((r) => r.sequential.tgOn.p50, (r) => r.sequential.direct.p50),
      sequential_p99: ratio((r) => r.sequential.tgOn.p99, (r) => r.sequential.direct.p99),
      throughput_c50: ratio((r) => r.closed.tgOn?.achievedRps, (r) => r.closed.direct?.achievedRps),
      ttft_p50: ratio((r) => r.ttft.tgOn?.ttft.p50, (r) => r.ttft.direct?.ttft.p50),
    },
  };
  return { sequential, rates, closed, ttft, memory, ratios };
}

function render(summary: ReturnType<typeof summarise>, router: Awaited<ReturnType<typeof routerTiming>>, notes: string[]): string {
  const label = (key: string) => LABELS[key as Key] ?? key;
  let out = `\nTidegate benchmark — ${settings.runs} run(s), medians over runs; ${process.version}, ${quick ? 'BENCH_QUICK' : 'full'}\n`;
  for (const note of notes) out += `  note: ${note}\n`;
  out += `\nSequential non-streamed, ${settings.sequential} requests per target per run, interleaved (ms)\n`;
  out += table(['target', 'p50', 'p99', 'added p50', 'added p99'], Object.entries(summary.sequential).map(([k, v]) => [label(k), f(v.p50, 3), f(v.p99, 3), f(v.addedP50, 3), f(v.addedP99, 3)]));
  for (const [rate, byKey] of Object.entries(summary.rates)) {
    out += `\nOpen loop ${rate} req/s for ${settings.phaseMs / 1000} s (latency from the scheduled send time, after a 1 s unmeasured warm-up at the same rate; added = minus direct, ms)\n`;
    out += table(['target', 'p50', 'p99', 'added p99', 'achieved req/s', 'errors'], Object.entries(byKey).map(([k, v]) => [label(k), f(v.p50, 3), f(v.p99, 3), f(v.addedP99, 3), f(v.achievedRps, 0), String(v.errors)]));
  }
  out += `\nClosed loop, ${settings.concurrency} connections for ${settings.phaseMs / 1000} s\n`;
  out += table(['target', 'req/s', 'p50 ms', 'p99 ms', 'errors'], Object.entries(summary.closed).map(([k, v]) => [label(k), f(v.rps, 0), f(v.p50), f(v.p99), String(v.errors)]));
  out += `\nStreamed, simulator token delay ${settings.tokenDelayMs} ms, ${settings.ttftN} per target per run (ms)\n`;
  out += table(['target', 'TTFT p50', 'TTFT p99', 'added TTFT p50', 'whole stream p50'], Object.entries(summary.ttft).map(([k, v]) => [label(k), f(v.p50, 3), f(v.p99, 3), f(v.addedP50, 3), f(v.totalP50, 2)]));
  out += `\nGateway memory (MiB): RSS after start-up, peak RSS (VmHWM) at the end of the run\n`;
  out += table(['gateway', 'start RSS', 'peak RSS'], Object.entries(summary.memory).map(([k, v]) => [label(k), f(v.startRssMiB, 1), f(v.hwmMiB, 1)]));
  out += `\nRatios (per run, then median)\n`;
  out += table(['ratio', 'value'], Object.entries(summary.ratios).flatMap(([group, values]) => Object.entries(values).map(([name, v]) => [`${group}.${name}`, `${f(v)}×`])));
  out += `\nRouter decision time (in-process score()):\n`;
  if (typeof router === 'string') out += `  ${router}\n`;
  else for (const [name, v] of Object.entries(router)) out += typeof v === 'object' ? `  ${name.padEnd(8)} p50 ${f(v.p50Us, 1)} µs  p99 ${f(v.p99Us, 1)} µs  (${v.calls} calls)\n` : `  artifact version ${String(v)}\n`;
  return out;
}

async function main(): Promise<void> {
  const began = Date.now();
  progress(`settings ${JSON.stringify(settings)}`);
  const runs: RunResult[] = [];
  for (let run = 0; run < settings.runs; run += 1) runs.push(await oneRun(run));
  progress('router decision time');
  const router = await routerTiming();
  const notes = [...new Set(runs.map((r) => r.autoNote))];
  notes.push('Portkey: @portkey-ai/gateway 1.15.2, @hono/node-server pinned to 1.13.5, --headless, NODE_ENV=production, headers x-portkey-provider: openai + x-portkey-custom-host');
  notes.push('Node floor proxy (bench/floor-proxy.ts): node:http + a pooled undici agent, body forwarded unchanged, no parsing: the least any Node gateway can cost here');
  notes.push('all processes (simulators, gateways, load generator) share the same cores');
  const summary = summarise(runs);
  const text = render(summary, router, notes);
  process.stdout.write(text);
  const result = { date: new Date().toISOString(), node: process.version, quick, settings, elapsedS: (Date.now() - began) / 1000, notes, summary, router, runs };
  const dir = process.env.BENCH_RESULTS_DIR ?? join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${result.date.slice(0, 19).replace(/[:T]/g, '-')}.json`);
  const json = `${JSON.stringify(result, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(join(dir, 'latest.json'), json);
  process.stdout.write(`\nsaved ${file} (and ${join(dir, 'latest.json')}) in ${f(result.elapsedS, 0)} s\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
