/**
 * npm run bench:cache: what an exact-cache hit costs through the gateway, against a direct call to the
 * simulated upstream and against a cache miss through the same gateway, in one run.
 *
 * Tidegate runs in its own process with the request log, metering and the exact cache (memory store) on.
 * Sequential requests: a hit (the same deterministic request), a miss (a new question each time, so the
 * upstream is called), and the upstream directly. Then hits at a fixed 1,000 req/s. Medians of 3 runs.
 *
 *   BENCH_QUICK=1  one short run
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { dist, median, once, openLoop, startChild, stopChild, type Child, type Dist, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const quick = process.env.BENCH_QUICK === '1';
const runs = quick ? 1 : 3;
const sequential = quick ? 500 : 2000;
const progress = (text: string) => process.stderr.write(`[bench:cache ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

const body = (content: string) => JSON.stringify({ model: 'bench-model', temperature: 0, max_tokens: 32, messages: [{ role: 'system', content: 'You are a benchmark.' }, { role: 'user', content }] });
const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };

async function main(): Promise<void> {
  const children: Child[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-bench-cache-'));
  try {
    const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], 'stdout', /\{.*\}\n/);
    children.push(sim.child);
    const upstream = `${JSON.parse(sim.match[0]).url as string}/openai-compatible/v1`;
    writeFileSync(join(dir, 'cache.yaml'), `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'cache.db')}" }
cache: { exact: { enabled: true, store: memory } }
providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${upstream}" }
models:
  - { id: bench-model, provider: upstream, price: { input: 1, output: 2 } }
`);
    const gateway = await startChild('tidegate', process.execPath, [join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, 'cache.yaml')], 'stderr', /"url":"(http:[^"]+)"/);
    children.push(gateway.child);
    const url = `${gateway.match[1]}/v1/chat/completions`;
    const agent = new Agent({ connections: 64 });
    const hit: Target = { key: 'hit', label: 'Tidegate exact hit', url, headers, body: body('What is the capital of France?'), streamBody: '' };
    const direct: Target = { key: 'direct', label: 'direct', url: `${upstream}/chat/completions`, headers, body: hit.body, streamBody: '' };
    const first = await once(hit, agent);
    if (first.headers['x-tidegate-cache'] !== 'miss') throw new Error(`expected the first request to miss, got ${String(first.headers['x-tidegate-cache'])}`);
    const results: Array<Record<string, Dist | number>> = [];
    let question = 0;
    for (let run = 0; run < runs; run++) {
      progress(`run ${run + 1}/${runs}: ${sequential} sequential requests each for hit, miss and direct`);
      const measure = async (make: () => Target) => {
        for (let i = 0; i < 200; i++) await once(make(), agent); // warm-up
        const ms: number[] = [];
        for (let i = 0; i < sequential; i++) {
          const result = await once(make(), agent);
          ms.push(result.ms);
        }
        return dist(ms);
      };
      const hitDist = await measure(() => hit);
      const missDist = await measure(() => ({ ...hit, key: 'miss', body: body(`Question ${question++} for the miss path`) }));
      const directDist = await measure(() => direct);
      progress(`run ${run + 1}/${runs}: exact hits at a fixed 1,000 req/s for ${quick ? 2 : 4} s`);
      const rate = await openLoop(hit, 1000, quick ? 2000 : 4000);
      results.push({ hit: hitDist, miss: missDist, direct: directDist, rate1000HitP99: rate.latency.p99, rate1000Errors: rate.errors });
    }
    await agent.close();
    const med = (pick: (r: Record<string, Dist | number>) => number) => median(results.map(pick));
    const summary = {
      hit: { p50: med((r) => (r.hit as Dist).p50), p99: med((r) => (r.hit as Dist).p99) },
      miss: { p50: med((r) => (r.miss as Dist).p50), p99: med((r) => (r.miss as Dist).p99) },
      direct: { p50: med((r) => (r.direct as Dist).p50), p99: med((r) => (r.direct as Dist).p99) },
      rate1000HitP99: med((r) => r.rate1000HitP99 as number),
    };
    const f = (x: number) => x.toFixed(3);
    const table = [
      `Exact-cache hit through Tidegate (request log and metering on), ${runs} run(s), medians, ms`,
      `  ${'path'.padEnd(34)} ${'p50'.padStart(8)} ${'p99'.padStart(8)}`,
      `  ${'hit (no upstream call)'.padEnd(34)} ${f(summary.hit.p50).padStart(8)} ${f(summary.hit.p99).padStart(8)}`,
      `  ${'miss (upstream called, stored)'.padEnd(34)} ${f(summary.miss.p50).padStart(8)} ${f(summary.miss.p99).padStart(8)}`,
      `  ${'direct to the upstream'.padEnd(34)} ${f(summary.direct.p50).padStart(8)} ${f(summary.direct.p99).padStart(8)}`,
      `  hits at a fixed 1,000 req/s: p99 ${f(summary.rate1000HitP99)} ms`,
    ].join('\n');
    process.stdout.write(`${table}\n`);
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/cache-hit-latest.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, runs, sequential, summary, results }, null, 1)}\n`);
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
