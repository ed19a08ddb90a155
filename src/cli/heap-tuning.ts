import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/** Old-generation growth allowed after each full GC, in percent of what survived it (V8 picks 10–300% itself). */
export const SERVE_HEAP_GROWING_PERCENT = 20;
/** The young generation (both semi-spaces) is kept at this size once start-up has grown it there. */
export const SERVE_NEW_SPACE_BYTES = 16 * 1024 * 1024;

const given = (execArgv: readonly string[], flag: string) => execArgv.some((arg) => new RegExp(`^--${flag.replace(/-/g, '[-_]')}`).test(arg));

/**
 * Heap tuning for the long-running gateway process, applied by `tidegate serve` only (flags given on the
 * command line win). Under load nearly everything a request allocates dies young:
 *
 * - Old generation: what is in flight at a scavenge is promoted, and by default V8 lets the old generation
 *   grow to several times its live size before a full GC, so the process peaks 30+ MiB above what it holds
 *   live. A small fixed growing factor keeps the peak near the live size, for a few more (incremental,
 *   mostly concurrent) full GCs.
 * - Young generation: start-up (module loading, the router artifact) grows it to 16 MiB; V8 would double
 *   it again under load, to 32 MiB, only to make scavenges rarer. It is kept at 16 MiB: scavenges come
 *   twice as often and are as short, since their cost is what survives, not the space's size.
 */
export function tuneHeapForServing(execArgv: readonly string[] = process.execArgv): void {
  if (!given(execArgv, 'heap-growing-percent')) setFlagsFromString(`--heap-growing-percent=${SERVE_HEAP_GROWING_PERCENT}`);
  if (given(execArgv, 'max-semi-space-size') || given(execArgv, 'semi-space-growth-factor')) return;
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  if (young && young.space_size >= SERVE_NEW_SPACE_BYTES) setFlagsFromString('--semi-space-growth-factor=1');
}
