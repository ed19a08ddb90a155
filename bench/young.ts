/**
 * Young-generation sizing experiment: Tidegate (log, metering, routing on) under different node flags,
 * measured with the same closed loop, open loop and peak RSS.
 *   node dist/bench/young.js "--max-semi-space-size=1" "" ...   (each argument is one variant's flags)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { closedLoop, memoryOf, once, onConfig, openLoop, sleep, startChild, stopChild, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const variants = process.argv.slice(2);
const seconds = Number(process.env.YOUNG_SECONDS ?? 3);

async function main(): Promise<void> {
  const sim = await startChild('simulator', process.execPath, [join(root, 'dist/src/simulator/cli.js'), '--port', '0'], 'stdout', /\{.*\}\n/);
  const simUrl = JSON.parse(sim.match[0]).url as string;
  try {
    for (let round = 0; round < Number(process.env.YOUNG_ROUNDS ?? 1); round += 1) {
      for (const flags of variants) {
        const dir = mkdtempSync(join(tmpdir(), 'tidegate-young-'));
        writeFileSync(join(dir, 'on.yaml'), onConfig(simUrl, join(dir, 'on.db')));
        const gw = await startChild('tidegate', process.execPath, [...flags.split(' ').filter(Boolean), join(root, 'bin/tidegate.js'), 'serve', '--config', join(dir, 'on.yaml')], 'stderr', /"url":"(http:[^"]+)"/);
        const pid = gw.child.process.pid;
        const start = memoryOf(pid)?.rssMiB ?? NaN;
        const headers = { 'content-type': 'application/json', authorization: 'Bearer bench' };
        const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'Benchmark prompt: say hello.' }] });
        const target: Target = { key: 'tgOn', label: 'tgOn', url: `${gw.match[1]}/v1/chat/completions`, headers, body, streamBody: '' };
        const agent = new Agent({ connections: 4 });
        for (let i = 0; i < 300; i += 1) await once(target, agent);
        await agent.close();
        const cpu0 = cpuMs(pid);
        const open = await openLoop(target, 1000, seconds * 1000);
        const cpu1 = cpuMs(pid);
        await sleep(200);
        const cpu2 = cpuMs(pid);
        const closed = await closedLoop(target, 50, seconds * 1000);
        const cpu3 = cpuMs(pid);
        const mem = memoryOf(pid);
        await stopChild(gw.child, 15_000);
        rmSync(dir, { recursive: true, force: true });
        process.stdout.write(`${(flags || '(default)').padEnd(40)} start ${start.toFixed(1)} peak ${mem?.hwmMiB.toFixed(1)} | 1000/s p50 ${open.latency.p50.toFixed(2)} p99 ${open.latency.p99.toFixed(2)} | c50 ${closed.achievedRps.toFixed(0)} req/s p99 ${closed.latency.p99.toFixed(1)} | CPU µs/req open ${((1000 * (cpu1 - cpu0)) / open.ok).toFixed(0)} closed ${((1000 * (cpu3 - cpu2)) / closed.ok).toFixed(0)}\n`);
      }
    }
  } finally {
    await stopChild(sim.child);
  }
}

/** User + system CPU time of a process so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

main().catch((error) => {
  process.stderr.write(`young failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
