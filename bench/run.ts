/**
 * npm run bench: added latency of the gateway against a direct call to the same fake upstream.
 * The simulator and the gateway each run in their own process; requests are sent from this one,
 * sequentially and in alternation, so both paths see the same machine noise. Results are ratios and
 * differences measured in the same run, printed as a table and saved as JSON under bench/results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const iterations = Number(process.env.BENCH_ITERATIONS ?? 2000);
const warmup = Number(process.env.BENCH_WARMUP ?? 300);

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolvePromise, reject) => {
    let buffer = '';
    const source = child[stream]!;
    const onData = (data: Buffer) => {
      buffer += data.toString();
      const match = pattern.exec(buffer);
      if (match) {
        source.off('data', onData);
        resolvePromise(match);
      }
    };
    source.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited with ${code} before it was ready:\n${buffer}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const agent = new Agent({ connections: 8 });
const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }] });

async function once(url: string): Promise<number> {
  const started = performance.now();
  const response = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, dispatcher: agent });
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const simulator = spawn(process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const simulatorUrl = JSON.parse((await waitForLine(simulator, 'stdout', /\{.*\}\n/))[0]).url as string;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-bench-'));
  const configFile = join(dir, 'tidegate.yaml');
  writeFileSync(configFile, `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'bench.db')}" }
providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${simulatorUrl}/openai-compatible/v1" }
models:
  - { id: bench-model, provider: upstream, price: { input: 1, output: 2 } }
`);
  const gateway = spawn(process.execPath, [join(root, 'bin/tidegate.js'), 'serve', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const gatewayUrl = (await waitForLine(gateway, 'stderr', /"url":"(http:[^"]+)"/))[1]!;
  try {
    const direct = `${simulatorUrl}/openai-compatible/v1/chat/completions`;
    const through = `${gatewayUrl}/v1/chat/completions`;
    for (let i = 0; i < warmup; i += 1) {
      await once(direct);
      await once(through);
    }
    const directTimes: number[] = [];
    const gatewayTimes: number[] = [];
    for (let i = 0; i < iterations; i += 1) {
      directTimes.push(await once(direct));
      gatewayTimes.push(await once(through));
      if (process.stderr.isTTY && i % 200 === 0) process.stderr.write(`\rmeasuring ${i}/${iterations}`);
    }
    if (process.stderr.isTTY) process.stderr.write('\r'.padEnd(30) + '\r');
    directTimes.sort((a, b) => a - b);
    gatewayTimes.sort((a, b) => a - b);
    const figure = (sorted: number[]) => ({ p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) });
    const d = figure(directTimes);
    const g = figure(gatewayTimes);
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      iterations,
      scenario: 'sequential non-streamed chat, request log and metering on',
      direct_ms: d,
      gateway_ms: g,
      added_ms: { p50: g.p50 - d.p50, p90: g.p90 - d.p90, p99: g.p99 - d.p99 },
      ratio_gateway_to_direct: { p50: g.p50 / d.p50, p99: g.p99 / d.p99 },
    };
    const row = (name: string, f: { p50: number; p90: number; p99: number }) => `${name.padEnd(22)}${f.p50.toFixed(3).padStart(10)}${f.p90.toFixed(3).padStart(10)}${f.p99.toFixed(3).padStart(10)}`;
    process.stdout.write(`\nTidegate benchmark (${iterations} sequential requests each, ${process.version})\n\n`);
    process.stdout.write(`${'ms'.padEnd(22)}${'p50'.padStart(10)}${'p90'.padStart(10)}${'p99'.padStart(10)}\n`);
    process.stdout.write(`${row('direct to upstream', d)}\n${row('through Tidegate', g)}\n${row('added by Tidegate', result.added_ms)}\n`);
    process.stdout.write(`\nratio Tidegate/direct: p50 ${result.ratio_gateway_to_direct.p50.toFixed(2)}×, p99 ${result.ratio_gateway_to_direct.p99.toFixed(2)}×\n`);
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    const file = join(root, 'bench/results', `latency-${result.date.slice(0, 19).replace(/[:T]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`saved ${file}\n`);
  } finally {
    gateway.kill('SIGTERM');
    simulator.kill('SIGTERM');
    await agent.close();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
