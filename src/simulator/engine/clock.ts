/**
 * Time for the simulated engine: a scaled wall clock for the HTTP server, and a deterministic virtual
 * clock (discrete events, no real waiting) for fleet evaluations. All times are simulated milliseconds.
 */

export interface Clock {
  now(): number;
  /** Runs `fn` after `delayMs` simulated ms; returns a cancel function. */
  setTimer(delayMs: number, fn: () => void): () => void;
}

/** Wall-clock time sped up `timeScale` times: 1 simulated second takes 1/timeScale real seconds. */
export class ScaledClock implements Clock {
  private readonly origin = performance.now();

  constructor(readonly timeScale = 1) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
  }

  now(): number {
    return (performance.now() - this.origin) * this.timeScale;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const timer = setTimeout(fn, Math.max(0, delayMs / this.timeScale));
    return () => clearTimeout(timer);
  }
}

interface VirtualEvent {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Discrete-event clock: `run()` executes timers in (time, insertion) order, advancing time instantly. */
export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private readonly heap: VirtualEvent[] = [];

  now(): number {
    return this.time;
  }

  setTimer(delayMs: number, fn: () => void): () => void {
    const event: VirtualEvent = { at: this.time + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /** Runs events until none are left or the next one is after `untilMs`; returns the number run. */
  run(untilMs = Infinity): number {
    let count = 0;
    while (this.heap.length > 0 && this.heap[0]!.at <= untilMs) {
      const event = this.pop();
      if (event.cancelled) continue;
      this.time = event.at;
      event.fn();
      count++;
    }
    if (untilMs !== Infinity && untilMs > this.time) this.time = untilMs;
    return count;
  }

  get pending(): number {
    return this.heap.length;
  }

  private before(a: VirtualEvent, b: VirtualEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(event: VirtualEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): VirtualEvent {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
