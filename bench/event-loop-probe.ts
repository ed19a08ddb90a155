/**
 * Preloaded into a gateway by bench/tail.ts (TAIL_PROBE=1): on each SIGUSR2 it prints, then resets, the
 * event-loop delay percentiles and the GC pauses seen since the previous signal, to tell the gateway's own
 * stalls from the rest of a request's tail (other processes, the load generator, the kernel).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
let gc = { n: 0, totalMs: 0, over1Ms: 0, worstMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.n += 1;
    gc.totalMs += entry.duration;
    if (entry.duration >= 1) gc.over1Ms += 1;
    gc.worstMs = Math.max(gc.worstMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

const ms = (ns: number) => (ns / 1e6).toFixed(2);
process.on('SIGUSR2', () => {
  process.stderr.write(`ELD p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} p99.9 ${ms(delay.percentile(99.9))} max ${ms(delay.max)} ms | GC ${gc.n} pauses, ${gc.over1Ms} ≥1 ms, worst ${gc.worstMs.toFixed(2)} ms, total ${gc.totalMs.toFixed(1)} ms\n`);
  delay.reset();
  gc = { n: 0, totalMs: 0, over1Ms: 0, worstMs: 0 };
});
