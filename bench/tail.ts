/**
 * Tail latency at a fixed rate, direct vs Tidegate (request log, metering and routing on), alternating in
 * rounds, to see whose p99 it is: the gateway's, the upstream simulator's or the load generator's.
 *   npm run build && node dist/bench/tail.js [rate=1000] [seconds=5] [rounds=3]
 *   TAIL_PROBE=1                      the gateway also reports its event-loop delay and GC pauses per phase
 *                                     (bench/event-loop-probe.ts)
 *   TAIL_GATEWAY_FLAGS="--trace-gc"   extra node flags for the gateway (GC pauses ≥ 1 ms are then counted)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { once, onConfig, openLoop, sleep, startChild, stopChild, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const [rate = 1000, seconds = 5, rounds = 3] = process.argv.slice(2).map(Number);
const probing = process.env.TAIL_PROBE === '1';
const flags = [...(process.env.TAIL_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean), ...(probing ? ['--import', join(root, 'dist/bench/event-loop-probe.js')] : [])];

async function main(): Promise<void> {
  const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], 'stdout', /\{.*\}\n/);
  const simUrl = JSON.parse(sim.match[0]).url as string;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-tail-'));
  writeFileSync(join(dir, 'on.yaml'), onConfig(simUrl, join(dir, 'on.db')));
  const gw = await startChild('tidegate', process.execPath, [...flags, join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, 'on.yaml')], 'stderr', /"url":"(http:[^"]+)"/);
  const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }] });
  const targets: Target[] = [
    { key: 'direct', label: 'direct', url: `${simUrl}/openai-compatible/v1/chat/completions`, headers, body, streamBody: '' },
    { key: 'tgOn', label: 'Tidegate ON', url: `${gw.match[1]}/v1/chat/completions`, headers, body, streamBody: '' },
  ];
  try {
    const agent = new Agent({ connections: 4 });
    for (let i = 0; i < 300; i += 1) for (const target of targets) await once(target, agent);
    await agent.close();
    for (let round = 0; round < rounds; round += 1) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const probe = probing && target.key === 'tgOn';
        if (probe) gw.child.process.kill('SIGUSR2');
        await sleep(50);
        const gcBefore = gw.child.output().length;
        const result = await openLoop(target, rate, seconds * 1000);
        if (probe) gw.child.process.kill('SIGUSR2');
        await sleep(50);
        const pauses = target.key === 'tgOn' ? gcPauses(gw.child.output().slice(gcBefore)) : '';
        const l = result.latency;
        if (probe) process.stdout.write(`${gw.child.output().slice(gcBefore).split('\n').filter((line) => line.startsWith('ELD')).join('\n')}\n`);
        process.stdout.write(`round ${round + 1} ${target.key.padEnd(6)} p50 ${l.p50.toFixed(3)}  p90 ${l.p90.toFixed(3)}  p99 ${l.p99.toFixed(3)}  max ${l.max.toFixed(1)}  ok ${result.ok}  errors ${result.errors}${pauses}\n`);
        await sleep(300);
      }
    }
  } finally {
    await stopChild(gw.child, 15_000);
    await stopChild(sim.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** From --trace-gc lines ("Scavenge 12.3 (14.0) -> 11.9 (15.0) MB, 0.84 / 0.00 ms ..."): count and sum of pauses. */
function gcPauses(text: string): string {
  let n = 0;
  let long = 0;
  let total = 0;
  let worst = 0;
  for (const match of text.matchAll(/(Scavenge|Mark-Compact|Mark-sweep)[^,]*MB, ([\d.]+) \/ [\d.]+ ms/g)) {
    const ms = Number(match[2]);
    n += 1;
    total += ms;
    worst = Math.max(worst, ms);
    if (ms >= 1) long += 1;
  }
  return n === 0 ? '' : `  gc ${n} pauses, ${long} ≥1 ms, worst ${worst.toFixed(2)} ms, total ${total.toFixed(1)} ms`;
}

main().catch((error) => {
  process.stderr.write(`tail failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
