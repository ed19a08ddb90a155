/**
 * CPU profile of the gateway hot path: Tidegate (request log on, priced model) runs under `node --cpu-prof`
 * while this process drives it with a closed loop of 50 connections; then the profile is summarised.
 *   npm run build && node dist/bench/profile.js [seconds]      (BENCH_PROFILE_STREAM=1 profiles streamed requests)
 * Writes bench/results/profile-latest.txt and .json; the raw .cpuprofile stays in a temp folder (path printed).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { renderSummary, summariseProfile } from './cpuprofile-summary.js';
import { closedLoop, once, onceStreamed, startChild, stopChild, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const seconds = Number(process.argv[2] ?? 8);
const stream = process.env.BENCH_PROFILE_STREAM === '1';

async function main(): Promise<void> {
  const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], 'stdout', /\{.*\}\n/);
  const simUrl = JSON.parse(sim.match[0]).url as string;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-profile-'));
  writeFileSync(join(dir, 'on.yaml'), `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'on.db')}" }
providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${simUrl}/openai-compatible/v1" }
models:
  - { id: bench-model, provider: upstream, price: { input: 1, output: 2 } }
`);
  const gw = await startChild('tidegate', process.execPath, [...(process.env.PROFILE_FLAGS ?? '').split(' ').filter(Boolean), '--cpu-prof', `--cpu-prof-dir=${dir}`, join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, 'on.yaml')], 'stderr', /"url":"(http:[^"]+)"/);
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }] });
  const target: Target = { key: 'tgOn', label: 'Tidegate ON', url: `${gw.match[1]}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body, streamBody: JSON.stringify({ ...JSON.parse(body), stream: true }) };
  try {
    process.stderr.write(`profiling Tidegate for ${seconds} s (${stream ? 'streamed, 50 concurrent' : 'closed loop, 50 connections'})\n`);
    const agent = new Agent({ connections: 50 });
    for (let i = 0; i < 200; i += 1) await once(target, agent);
    if (stream) {
      const end = performance.now() + seconds * 1000;
      let n = 0;
      await Promise.all(Array.from({ length: 50 }, async () => {
        while (performance.now() < end) {
          await onceStreamed(target, agent);
          n += 1;
        }
      }));
      process.stderr.write(`${n} streamed requests\n`);
    } else {
      const result = await closedLoop(target, 50, seconds * 1000);
      process.stderr.write(`${result.ok} requests, ${result.achievedRps.toFixed(0)} req/s, ${result.errors} errors (profiler on)\n`);
    }
    await agent.close();
  } finally {
    await stopChild(gw.child, 15_000);
    await stopChild(sim.child);
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${dir} (did the gateway exit cleanly on SIGTERM?)\n${gw.child.output()}`);
  const summary = summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), 30);
  const text = renderSummary(summary);
  process.stdout.write(`${text}\nraw profile: ${join(dir, file)}\n`);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/profile-latest.txt'), text);
  writeFileSync(join(root, 'bench/results/profile-latest.json'), `${JSON.stringify({ date: new Date().toISOString(), seconds, stream, profile: join(dir, file), summary }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
