/** Shared helpers for the benchmarks: child processes, free ports, percentiles, peak memory, load generators. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Agent, request } from 'undici';

export interface Child {
  name: string;
  process: ChildProcess;
  output: () => string;
}

/** Spawns a process and waits until `pattern` appears on the given stream (keeps the rest of its output for errors). */
export async function startChild(name: string, command: string, args: string[], stream: 'stdout' | 'stderr', pattern: RegExp, options: SpawnOptions = {}, timeoutMs = 30_000): Promise<{ child: Child; match: RegExpExecArray }> {
  const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let out = '';
  const keep = (data: Buffer) => {
    out += data.toString();
    if (out.length > 20_000) out = out.slice(-10_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    let buffer = '';
    const source = proc[stream]!;
    const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (data: Buffer) => {
      buffer += data.toString();
      const found = pattern.exec(buffer);
      if (found) {
        clearTimeout(timer);
        source.off('data', onData);
        resolve(found);
      }
    };
    source.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${out}`));
    });
  });
  return { child: { name, process: proc, output: () => out }, match };
}

export async function stopChild(child: Child, timeoutMs = 5_000): Promise<void> {
  const proc = child.process;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Peak and current resident memory of a process, in MiB, from /proc (Linux only; null elsewhere). */
export function memoryOf(pid: number | undefined): { hwmMiB: number; rssMiB: number } | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

export interface Dist { n: number; p50: number; p90: number; p99: number; max: number }

export function dist(values: number[]): Dist {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One HTTP target: a URL, the headers it needs and the JSON body it is sent. */
export interface Target {
  key: string;
  label: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  streamBody: string;
}

/** Sends one non-streamed request; returns its latency in ms (throws on a non-200 answer). */
export async function once(target: Target, agent: Agent): Promise<{ ms: number; headers: Record<string, string | string[] | undefined> }> {
  const started = performance.now();
  const response = await request(target.url, { method: 'POST', body: target.body, headers: target.headers, dispatcher: agent });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${target.label} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return { ms: performance.now() - started, headers: response.headers };
}

const contentToken = /"content":"[^"]/;

/** Sends one streamed request; returns time to the first chunk that carries text, and the time to the end of the stream. */
export async function onceStreamed(target: Target, agent: Agent): Promise<{ ttftMs: number; totalMs: number }> {
  const started = performance.now();
  const response = await request(target.url, { method: 'POST', body: target.streamBody, headers: target.headers, dispatcher: agent });
  let ttft = NaN;
  let seen = '';
  for await (const chunk of response.body) {
    if (Number.isNaN(ttft)) {
      seen += (chunk as Buffer).toString();
      if (contentToken.test(seen)) ttft = performance.now() - started;
    }
  }
  if (response.statusCode !== 200) throw new Error(`${target.label} answered ${response.statusCode} to a streamed request: ${seen.slice(0, 300)}`);
  if (Number.isNaN(ttft)) throw new Error(`${target.label}: stream carried no content token: ${seen.slice(0, 300)}`);
  return { ttftMs: ttft, totalMs: performance.now() - started };
}

export interface LoadResult { sent: number; ok: number; errors: number; achievedRps: number; latency: Dist; firstError?: string }

/**
 * Open loop: sends are scheduled by the clock (rate per second), not after responses; latency counts from the
 * intended send time, so a gateway that falls behind is charged for the queueing (no coordinated omission).
 * The same schedule first runs unmeasured for `warmupMs` on the same connections, so that what is measured
 * is the steady state at that rate, not the opening of the connections it needs (client side and upstream).
 */
export async function openLoop(target: Target, ratePerSecond: number, durationMs: number, warmupMs = 1000): Promise<LoadResult> {
  const agent = new Agent({ connections: 1024, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  try {
    if (warmupMs > 0) await scheduled(target, agent, ratePerSecond, warmupMs);
    return await scheduled(target, agent, ratePerSecond, durationMs);
  } finally {
    await agent.close();
  }
}

function scheduled(target: Target, agent: Agent, ratePerSecond: number, durationMs: number): Promise<LoadResult> {
  return openLoopWith(() => request(target.url, { method: 'POST', body: target.body, headers: target.headers, dispatcher: agent }), ratePerSecond, durationMs);
}

/** What a load generator needs of a response: its status, and a body to read to the end. */
export interface SentResponse { statusCode: number; body: { text(): Promise<string> } }

/**
 * The open-loop schedule behind openLoop, for any way of sending (an undici Agent, a Pool with pipelining):
 * `send` is called at each scheduled instant; latency counts from that instant. Sends beyond `maxInFlight` are
 * not made and count as errors (the generator never queues without bound).
 */
export async function openLoopWith(send: () => Promise<SentResponse>, ratePerSecond: number, durationMs: number, maxInFlight = Infinity): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let sent = 0;
  let skipped = 0;
  let inFlight = 0;
  let lastDone = 0;
  const interval = 1000 / ratePerSecond;
  const total = Math.round((durationMs / 1000) * ratePerSecond);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  let issued = 0;
  const fire = (intended: number) => {
    issued += 1;
    if (inFlight >= maxInFlight) {
      skipped += 1;
      return;
    }
    sent += 1;
    inFlight += 1;
    pending.push(
      send()
        .then(async (response) => {
          await response.body.text();
          const done = performance.now();
          lastDone = Math.max(lastDone, done);
          if (response.statusCode === 200) latencies.push(done - intended);
          else {
            errors += 1;
            firstError ??= `HTTP ${response.statusCode}`;
          }
        })
        .catch((error: unknown) => {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        })
        .finally(() => (inFlight -= 1)),
    );
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (issued < total && start + issued * interval <= now) fire(start + issued * interval);
      if (issued >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, start + issued * interval - performance.now())));
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (lastDone || performance.now()) - start;
  firstError ??= skipped > 0 ? `${skipped} not sent: ${maxInFlight} in flight` : undefined;
  return { sent, ok: latencies.length, errors: errors + skipped, achievedRps: latencies.length / (elapsed / 1000), latency: dist(latencies), ...(firstError ? { firstError } : {}) };
}

/** Closed loop: `concurrency` workers each send the next request as soon as the previous one answered. */
export async function closedLoop(target: Target, concurrency: number, durationMs: number): Promise<LoadResult> {
  const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      try {
        latencies.push((await once(target, agent)).ms);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  await agent.close();
  return { sent: latencies.length + errors, ok: latencies.length, errors, achievedRps: latencies.length / (elapsed / 1000), latency: dist(latencies), ...(firstError ? { firstError } : {}) };
}

/**
 * The "Tidegate ON" config the single-gateway benchmarks share (tail, young, ab): request log on (the default),
 * priced light and flagship models on one simulated upstream, and an `auto` route between them.
 */
export function onConfig(simUrl: string, dbFile: string): string {
  return `server: { port: 0 }
storage: { url: "sqlite:${dbFile}" }
providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${simUrl}/openai-compatible/v1" }
models:
  - { id: bench-model, provider: upstream, tier: flagship, price: { input: 1, output: 2 } }
  - { id: bench-light, provider: upstream, tier: light, price: { input: 0.1, output: 0.2 } }
routes:
  - { id: auto, light: [bench-light], flagship: [bench-model], qualityTarget: 0.95 }
`;
}
