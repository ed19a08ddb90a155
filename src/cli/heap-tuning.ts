import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Old-generation growth allowed after each full GC, in percent of what survived it (V8 picks 10–300% itself). */
export const SERVE_HEAP_GROWING_PERCENT = 20;
/** Young generation of the serving process: both semi-spaces together (V8's default grows it to 32 MiB). */
export const SERVE_NEW_SPACE_BYTES = 4 * 1024 * 1024;

const given = (execArgv: readonly string[], flag: string) => execArgv.some((arg) => new RegExp(`^--${flag.replace(/-/g, '[-_]')}`).test(arg));
const youngFlagsGiven = (execArgv: readonly string[]) => given(execArgv, 'max-semi-space-size') || given(execArgv, 'semi-space-growth-factor') || given(execArgv, 'min-semi-space-size');
const newSpaceBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;

/**
 * Called by bin/tidegate.js before any other module is loaded: the young generation stays at its initial
 * size (1 MiB semi-spaces) while modules load. Left alone, V8 doubles it at every scavenge that sees many
 * survivors, and loading ~250 modules takes it to its maximum (2 × 16 MiB), which stays resident: 11 MiB
 * more RSS after start-up and ~25 MiB more at peak under load, for no gain (scavenge time is set by what
 * survives, not by the space's size).
 */
export function holdYoungGeneration(execArgv: readonly string[] = process.execArgv): void {
  if (!youngFlagsGiven(execArgv)) setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Heap tuning for the long-running gateway process, applied by `tidegate serve` only (flags given on the
 * command line win). Under load nearly everything a request allocates dies young:
 *
 * - Old generation: what is in flight at a scavenge is promoted, and by default V8 lets the old generation
 *   grow to several times its live size before a full GC, so the process peaks 30+ MiB above what it holds
 *   live. A small fixed growing factor keeps the peak near the live size, for a few more (incremental,
 *   mostly concurrent) full GCs.
 * - Young generation: held at 1 MiB semi-spaces through start-up (holdYoungGeneration), then allowed to grow
 *   under load to SERVE_NEW_SPACE_BYTES (2 MiB semi-spaces) and no further. Share of the gateway's CPU spent
 *   in GC at 50 concurrent requests (bench/profile.ts): 24% with 2 MiB semi-spaces, 17% with 4 MiB, 13% with
 *   V8's 16 MiB default. In `npm run bench` the throughput of 2 and 4 MiB could not be told apart (3.57× and
 *   3.5× Portkey's) while the peak RSS could (98 and 110–117 MiB): V8 adds the young generation's size to
 *   the old generation's limit, so it counts twice. V8 shrinks the young generation after a quiet spell,
 *   so the watcher stays on and lets it grow back.
 */
export function tuneHeapForServing(execArgv: readonly string[] = process.execArgv): void {
  if (!given(execArgv, 'heap-growing-percent')) setFlagsFromString(`--heap-growing-percent=${SERVE_HEAP_GROWING_PERCENT}`);
  if (youngFlagsGiven(execArgv)) return;
  let factor = 0;
  const steer = () => {
    const size = newSpaceBytes();
    // The next growth multiplies the current size by the factor: aim it at the target, never past it.
    const wanted = size > 0 && size < SERVE_NEW_SPACE_BYTES ? Math.max(1, Math.floor(SERVE_NEW_SPACE_BYTES / size)) : 1;
    if (wanted !== factor) setFlagsFromString(`--semi-space-growth-factor=${(factor = wanted)}`);
  };
  steer();
  new PerformanceObserver(steer).observe({ entryTypes: ['gc'] });
}

/**
 * One full GC once the gateway is listening. Start-up garbage (parsed config, migrations, module-loading
 * temporaries) was promoted by the small young generation and would otherwise sit in the old generation
 * until its first limit, which V8 sets generously before any full GC has run; after this one, the limit
 * is the live size plus SERVE_HEAP_GROWING_PERCENT. Node has no gc() without --expose-gc: the flag is set
 * and a throwaway context hands out the function.
 */
export function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as unknown;
  if (typeof gc === 'function') gc();
}
