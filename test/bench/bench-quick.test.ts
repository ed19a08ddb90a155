import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm run bench` in its quick mode, end to end, so that it never rots: it starts the simulators, the Node floor
 * proxy, Tidegate ON and OFF and Portkey's gateway, measures every figure, and writes its JSON. No timing is asserted (the
 * machines are shared); only that every figure was measured for every target and every ratio computed.
 */
const root = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'tidegate-bench-quick-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run bench --quick', () => {
  it('measures direct, the Node floor proxy, Tidegate ON and OFF and Portkey, and writes every figure', () => {
    const script = join(root, 'dist/bench/run.js');
    expect(existsSync(script), 'dist/bench/run.js is missing: run npm run build (npm test does)').toBe(true);
    const result = spawnSync(process.execPath, [script, '--quick'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, BENCH_RESULTS_DIR: out, BENCH_SEQ: '40', BENCH_WARMUP: '20', BENCH_PHASE_S: '1', BENCH_TTFT_N: '5' },
    });
    expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as {
      quick: boolean;
      summary: {
        sequential: Record<string, { p50: number; p99: number }>;
        rates: Record<string, Record<string, { achievedRps: number; errors: number }>>;
        closed: Record<string, { rps: number; errors: number }>;
        ttft: Record<string, { p50: number }>;
        memory: Record<string, { hwmMiB: number; startRssMiB: number }>;
        ratios: Record<string, Record<string, number | null>>;
      };
      router: Record<string, { p50Us: number; p99Us: number; calls: number }>;
    };
    expect(report.quick).toBe(true);
    const { summary } = report;
    for (const key of ['direct', 'floor', 'tgOn', 'tgAuto', 'tgOff', 'portkey']) expect(summary.sequential[key]?.p50, key).toBeGreaterThan(0);
    for (const rate of ['100', '1000']) {
      for (const key of ['direct', 'floor', 'tgOn', 'tgOff', 'portkey']) expect(summary.rates[rate]?.[key]?.achievedRps, `${rate} ${key}`).toBeGreaterThan(0);
    }
    for (const key of ['direct', 'floor', 'tgOn', 'tgOff', 'portkey']) {
      expect(summary.closed[key]?.rps, key).toBeGreaterThan(0);
      expect(summary.closed[key]?.errors, key).toBe(0);
      expect(summary.ttft[key]?.p50, key).toBeGreaterThan(0);
    }
    for (const key of ['floor', 'tgOn', 'tgOff', 'portkey']) expect(summary.memory[key]?.hwmMiB, key).toBeGreaterThan(0);
    for (const name of ['throughput_c50', 'peak_rss', 'sequential_added_p50']) expect(Number.isFinite(summary.ratios.tidegateOn_vs_portkey?.[name])).toBe(true);
    for (const name of ['throughput_c50', 'sequential_added_p50']) expect(Number.isFinite(summary.ratios.tidegateOn_vs_floor?.[name])).toBe(true);
    expect(report.router.long10k?.calls).toBeGreaterThan(0);
    expect(result.stdout).toContain('Tidegate benchmark');
  }, 260_000);
});
