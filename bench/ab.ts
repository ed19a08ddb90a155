/**
 * A/B of gateway builds or node flags by CPU time per request, the figure that survives a noisy shared machine
 * better than throughput: every variant runs at once (Tidegate, request log on, a priced model), and each round
 * drives each variant in turn with the same closed loop, reading the gateway process's user + system CPU from
 * /proc before and after. Reported: the median µs per request over rounds, and the median of the per-round
 * ratio to the first variant (both measured minutes apart at most, under the same machine weather).
 *
 *   node dist/bench/ab.js 'A=' 'B=--max-semi-space-size=8' 'C=@/tmp/dist-old'   (name=flags, or name=@root of
 *   another checkout's build whose bin/tidegate.js runs instead)     AB_ROUNDS (8), AB_SECONDS (2), AB_CONNECTIONS (50)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { closedLoop, median, memoryOf, once, onConfig, startChild, stopChild, type Child, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const rounds = Number(process.env.AB_ROUNDS ?? 8);
const seconds = Number(process.env.AB_SECONDS ?? 2);
const connections = Number(process.env.AB_CONNECTIONS ?? 50);

interface Variant { name: string; flags: string[]; root: string; child?: Child; target?: Target; cpu: number[]; rps: number[] }

function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function main(): Promise<void> {
  const variants: Variant[] = process.argv.slice(2).map((arg) => {
    const [name, spec = ''] = arg.split(/=(.*)/s) as [string, string?];
    return spec.startsWith('@') ? { name, flags: [], root: spec.slice(1), cpu: [], rps: [] } : { name, flags: spec.split(' ').filter(Boolean), root, cpu: [], rps: [] };
  });
  if (variants.length === 0) throw new Error("usage: ab.js 'A=' 'B=--flag' 'C=@/path/to/other/root'");
  const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], 'stdout', /\{.*\}\n/);
  const simUrl = JSON.parse(sim.match[0]).url as string;
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-ab-'));
  try {
    for (const v of variants) {
      writeFileSync(join(dir, `${v.name}.yaml`), onConfig(simUrl, join(dir, `${v.name}.db`)));
      const gw = await startChild(`tidegate ${v.name}`, process.execPath, [...v.flags, join(v.root, 'bin/tidegate.js'), 'serve', '--config', join(dir, `${v.name}.yaml`)], 'stderr', /"url":"(http:[^"]+)"/);
      v.child = gw.child;
      const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }] });
      v.target = { key: v.name, label: v.name, url: `${gw.match[1]}/v1/chat/completions`, headers: { 'content-type': 'application/json', authorization: 'Bearer bench' }, body, streamBody: '' };
      const agent = new Agent({ connections: 4 });
      for (let i = 0; i < 500; i += 1) await once(v.target, agent);
      await agent.close();
    }
    for (let round = 0; round < rounds; round += 1) {
      const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
      for (const v of order) {
        const pid = v.child!.process.pid;
        const before = cpuMs(pid);
        const result = await closedLoop(v.target!, connections, seconds * 1000);
        if (result.errors > 0) throw new Error(`${v.name}: ${result.errors} errors (${result.firstError})`);
        v.cpu.push((1000 * (cpuMs(pid) - before)) / result.ok);
        v.rps.push(result.achievedRps);
      }
      process.stderr.write(`round ${round + 1}/${rounds}: ${variants.map((v) => `${v.name} ${v.cpu.at(-1)!.toFixed(0)} µs/req ${v.rps.at(-1)!.toFixed(0)} req/s`).join(' | ')}\n`);
    }
    const base = variants[0]!;
    for (const v of variants) {
      const ratios = v.cpu.map((c, i) => c / base.cpu[i]!);
      const mem = memoryOf(v.child!.process.pid);
      process.stdout.write(`${v.name.padEnd(12)} CPU ${median(v.cpu).toFixed(0).padStart(4)} µs/req (×${median(ratios).toFixed(2)} of ${base.name})  ${median(v.rps).toFixed(0).padStart(5)} req/s  peak RSS ${mem?.hwmMiB.toFixed(1)} MiB  flags ${v.flags.join(' ') || '-'} ${v.root === root ? '' : v.root}\n`);
    }
  } finally {
    await Promise.all(variants.map((v) => (v.child ? stopChild(v.child, 15_000) : undefined)));
    await stopChild(sim.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`ab failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
