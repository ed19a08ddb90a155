import { GatewayError } from '../errors/catalogue.js';
import type { SchedulingConfig } from './config-schema.js';
import type { PriorityClass } from './priority.js';

/** What a model may take at once: calls in flight and tokens per rolling minute (undefined: no token limit). */
export interface ModelLimits {
  readonly concurrency: number;
  readonly tokensPerMinute: number | undefined;
}

/** A granted slot. Release it when the call ends (after the last byte); nothing is preempted once granted. */
export interface Permit {
  readonly queueMs: number;
  /** Record the call's real token count (replacing the estimate in the minute window) and free the slot. */
  release(actualTokens?: number): void;
}

export interface ClassStats {
  admitted: number;
  queued: number;
  shed: number;
  waitMsTotal: number;
  waitMsMax: number;
}

interface Waiter {
  readonly priority: PriorityClass;
  readonly tokens: number;
  readonly enqueuedAt: number;
  readonly grant: (permit: Permit) => void;
  readonly fail: (error: GatewayError) => void;
  /** Deferred work near its deadline: waits at the head of the standard queue (see acquireUrgent). */
  readonly urgent?: boolean;
  timer?: NodeJS.Timeout;
}

export interface AcquireOptions {
  readonly signal?: AbortSignal;
  /** Deadline-near deferred work: ahead of queued standard requests, never refused for a full queue. */
  readonly urgent?: boolean;
  /** The longest wait for a slot (default: the class's configured bound). */
  readonly maxWaitMs?: number;
}

const MINUTE_MS = 60_000;
const CLASSES: readonly PriorityClass[] = ['interactive', 'standard', 'deferrable'];
/** An aged standard queue gets at least one slot in this many while interactive requests also wait. */
const STANDARD_SHARE = 4;

/** One model's slots, token window and per-class FIFO queues. */
class ModelGate {
  inFlight = 0;
  readonly queues: Record<PriorityClass, Waiter[]> = { interactive: [], standard: [], deferrable: [] };
  /** Tokens admitted in the last minute, oldest first. */
  readonly window: Array<{ at: number; tokens: number }> = [];
  /** Measured service time (ms a slot is held), exponentially weighted; undefined until the first release. */
  serviceMs: number | undefined;
  tokenTimer: NodeJS.Timeout | undefined;
  /** Interactive grants from the queue since the last standard one (for standard's guaranteed share). */
  interactiveRun = 0;

  /** Slots only interactive requests may take (at least one slot always stays open to standard). */
  readonly reserved: number;

  constructor(readonly limits: ModelLimits, reserve: number) {
    this.reserved = Math.min(limits.concurrency - 1, Math.floor(limits.concurrency * reserve));
  }

  tokensInWindow(now: number): number {
    while (this.window.length > 0 && this.window[0]!.at <= now - MINUTE_MS) this.window.shift();
    return this.window.reduce((sum, entry) => sum + entry.tokens, 0);
  }

  /** Whether a call of `tokens` may start now; standard work leaves `reserved` slots to interactive. */
  fits(tokens: number, now: number, priority: PriorityClass = 'interactive'): boolean {
    const slots = priority === 'interactive' ? this.limits.concurrency : this.limits.concurrency - this.reserved;
    if (this.inFlight >= slots) return false;
    const limit = this.limits.tokensPerMinute;
    if (limit === undefined) return true;
    const used = this.tokensInWindow(now);
    return used === 0 || used + tokens <= limit; // one request larger than the whole limit still runs alone
  }

  waiting(): number {
    return this.queues.interactive.length + this.queues.standard.length + this.queues.deferrable.length;
  }
}

/**
 * Admission control per provider model: a request takes a slot when the model has one free and its tokens fit
 * the rolling minute; otherwise it waits in its class's FIFO queue, bounded in depth and in time. Interactive
 * waiters go first; once standard's oldest waiter is older than `agingMs` it gets a guaranteed share of slots.
 * Deferrable work never queues here: it takes a slot only while the model is below its valley bound and nobody
 * is waiting (tryValley). A full queue or a wait past the class's bound answers 429 with a Retry-After
 * computed from the measured service time and the queue ahead.
 */
export class AdmissionController {
  private readonly gates = new Map<string, ModelGate>();
  private readonly stats: Record<PriorityClass, ClassStats> = {
    interactive: { admitted: 0, queued: 0, shed: 0, waitMsTotal: 0, waitMsMax: 0 },
    standard: { admitted: 0, queued: 0, shed: 0, waitMsTotal: 0, waitMsMax: 0 },
    deferrable: { admitted: 0, queued: 0, shed: 0, waitMsTotal: 0, waitMsMax: 0 },
  };

  constructor(
    private readonly config: SchedulingConfig,
    private readonly limitsFor: (model: string) => ModelLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private gate(model: string): ModelGate {
    let gate = this.gates.get(model);
    if (!gate) {
      gate = new ModelGate(this.limitsFor(model), this.config.interactiveReserve);
      this.gates.set(model, gate);
    }
    return gate;
  }

  /** Wait for a slot on `model` in `priority`'s queue; rejects with queue_full or queue_timeout (429). */
  acquire(model: string, priority: PriorityClass, tokens: number, signal?: AbortSignal): Promise<Permit> {
    return this.enqueue(model, priority, tokens, { signal });
  }

  /**
   * A slot for deferred work whose latest start is near (earliest deadline first): it queues with standard
   * requests' share of the slots, so interactive keeps its reserve and its precedence, but ahead of queued
   * standard requests (after other urgent work) and regardless of the queue's depth, for at most `maxWaitMs`.
   */
  acquireUrgent(model: string, tokens: number, maxWaitMs: number): Promise<Permit> {
    return this.enqueue(model, 'deferrable', tokens, { urgent: true, maxWaitMs });
  }

  private enqueue(model: string, priority: PriorityClass, tokens: number, options: AcquireOptions): Promise<Permit> {
    const { signal, urgent = false } = options;
    const gate = this.gate(model);
    this.dispatch(gate); // the token window may have moved on since the last release
    const now = this.now();
    // Urgent deferred work waits in the standard queue (dispatch serves interactive, then standard).
    const queue = urgent ? gate.queues.standard : gate.queues[priority];
    const ahead = priority === 'interactive' ? gate.queues.interactive.length : urgent ? gate.queues.interactive.length : gate.waiting();
    if (ahead === 0 && gate.fits(tokens, now, priority)) return Promise.resolve(this.grant(gate, priority, tokens, now, now));
    if (!urgent && queue.length >= this.config.queueDepth) {
      this.stats[priority].shed += 1;
      return Promise.reject(this.shed('queue_full', model, priority, `The ${priority} queue of ${model} is full (${queue.length} waiting).`, gate, queue.length));
    }
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = {
        priority, tokens, enqueuedAt: now, fail: reject, urgent,
        grant: (permit) => {
          leave();
          resolve(permit);
        },
      };
      const maxWait = options.maxWaitMs ?? (priority === 'interactive' ? this.config.interactiveMaxWaitMs : this.config.standardMaxWaitMs);
      const leave = () => {
        const index = queue.indexOf(waiter);
        if (index >= 0) queue.splice(index, 1);
        if (waiter.timer) clearTimeout(waiter.timer);
        signal?.removeEventListener('abort', onAbort);
        return index >= 0;
      };
      const onAbort = () => {
        if (leave()) reject(new GatewayError('queue_timeout', 'The client left while the request was waiting for admission.'));
      };
      waiter.timer = setTimeout(() => {
        if (!leave()) return;
        this.stats[priority].shed += 1;
        reject(this.shed('queue_timeout', model, priority, `Waited ${maxWait} ms for ${model} without a free slot (${priority}).`, gate, queue.length));
      }, maxWait);
      waiter.timer.unref?.();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (urgent) {
        const firstOrdinary = queue.findIndex((other) => !other.urgent);
        queue.splice(firstOrdinary < 0 ? queue.length : firstOrdinary, 0, waiter);
      } else queue.push(waiter);
      this.stats[priority].queued += 1;
      this.armTokenTimer(model, gate);
    });
  }

  /** A slot for deferrable work if the model is in a valley: nobody waiting, below the utilisation bound. */
  tryValley(model: string, tokens: number): Permit | undefined {
    const gate = this.gate(model);
    const bound = Math.max(1, Math.floor(gate.limits.concurrency * this.config.valleyUtilisation));
    const now = this.now();
    if (gate.queues.interactive.length + gate.queues.standard.length > 0 || gate.inFlight >= bound || !gate.fits(tokens, now, 'deferrable')) return undefined;
    return this.grant(gate, 'deferrable', tokens, now, now);
  }

  /** Measured service time of a model (ms), or the default estimate before anything was measured. */
  serviceMs(model: string, fallback = 30_000): number {
    return this.gates.get(model)?.serviceMs ?? fallback;
  }

  snapshot(): { classes: Record<PriorityClass, ClassStats>; models: Array<{ model: string; inFlight: number; waiting: Record<PriorityClass, number>; serviceMs: number | null; limits: ModelLimits }> } {
    return {
      classes: structuredClone(this.stats),
      models: [...this.gates].map(([model, gate]) => ({
        model,
        inFlight: gate.inFlight,
        waiting: { interactive: gate.queues.interactive.length, standard: gate.queues.standard.length, deferrable: gate.queues.deferrable.length },
        serviceMs: gate.serviceMs === undefined ? null : Math.round(gate.serviceMs),
        limits: gate.limits,
      })),
    };
  }

  private grant(gate: ModelGate, priority: PriorityClass, tokens: number, enqueuedAt: number, now: number): Permit {
    gate.inFlight += 1;
    const entry = { at: now, tokens };
    // Only a tokens-per-minute limit reads the window (and prunes it); without one it would grow forever.
    if (gate.limits.tokensPerMinute !== undefined) gate.window.push(entry);
    const queueMs = Math.max(0, now - enqueuedAt);
    const stats = this.stats[priority];
    stats.admitted += 1;
    stats.waitMsTotal += queueMs;
    stats.waitMsMax = Math.max(stats.waitMsMax, queueMs);
    let released = false;
    return {
      queueMs,
      release: (actualTokens?: number) => {
        if (released) return;
        released = true;
        if (actualTokens !== undefined && Number.isFinite(actualTokens)) entry.tokens = actualTokens;
        gate.inFlight -= 1;
        const held = Math.max(1, this.now() - now);
        gate.serviceMs = gate.serviceMs === undefined ? held : gate.serviceMs * 0.8 + held * 0.2;
        this.dispatch(gate);
      },
    };
  }

  /**
   * Hand free slots to waiters, interactive first. Standard is never starved: once its oldest waiter is older
   * than agingMs, it gets every STANDARD_SHARE-th slot while interactive is also waiting (a guaranteed share,
   * so aging cannot turn into starving interactive under a standing standard backlog).
   */
  private dispatch(gate: ModelGate): void {
    for (;;) {
      const now = this.now();
      const standard = gate.queues.standard[0];
      const interactive = gate.queues.interactive[0];
      const aged = standard !== undefined && now - standard.enqueuedAt >= this.config.agingMs;
      const next = interactive && !(aged && gate.interactiveRun >= STANDARD_SHARE - 1) ? interactive : standard;
      if (!next || !gate.fits(next.tokens, now, next.priority)) break;
      gate.interactiveRun = next.priority === 'interactive' ? gate.interactiveRun + 1 : 0;
      next.grant(this.grant(gate, next.priority, next.tokens, next.enqueuedAt, now));
    }
  }

  /** When only the token window blocks the queue, look again when its oldest entry leaves the minute. */
  private armTokenTimer(model: string, gate: ModelGate): void {
    if (gate.tokenTimer || gate.limits.tokensPerMinute === undefined || gate.window.length === 0) return;
    const wait = Math.max(10, gate.window[0]!.at + MINUTE_MS - this.now());
    gate.tokenTimer = setTimeout(() => {
      gate.tokenTimer = undefined;
      this.dispatch(gate);
      if (gate.waiting() > 0) this.armTokenTimer(model, gate);
    }, wait);
    gate.tokenTimer.unref?.();
  }

  /** A 429 whose Retry-After is the time the queue ahead needs at the measured service time. */
  private shed(code: 'queue_full' | 'queue_timeout', _model: string, _priority: PriorityClass, message: string, gate: ModelGate, ahead: number): GatewayError {
    const service = gate.serviceMs ?? 1_000;
    const rounds = Math.ceil((ahead + 1) / gate.limits.concurrency);
    let retryAfterMs = Math.max(1_000, Math.round(rounds * service));
    if (gate.limits.tokensPerMinute !== undefined && gate.window.length > 0 && gate.tokensInWindow(this.now()) >= gate.limits.tokensPerMinute) {
      retryAfterMs = Math.max(retryAfterMs, gate.window[0]!.at + MINUTE_MS - this.now());
    }
    return new GatewayError(code, `${message} Retry after about ${Math.ceil(retryAfterMs / 1000)} s (measured service time ${Math.round(service)} ms).`, { retryAfterMs });
  }

  /** Reject every waiter (shutdown). */
  close(): void {
    for (const gate of this.gates.values()) {
      if (gate.tokenTimer) clearTimeout(gate.tokenTimer);
      for (const priority of CLASSES) {
        for (const waiter of gate.queues[priority].splice(0)) {
          if (waiter.timer) clearTimeout(waiter.timer);
          waiter.fail(new GatewayError('shutting_down', 'The gateway is shutting down.', { retryAfterMs: 1000 }));
        }
      }
    }
  }
}
