import type { ErrorCode } from '../errors/catalogue.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number;
  probeInFlight: boolean;
}

/** Upstream outcomes that say nothing about the provider's health: the request itself was at fault. */
const theRequestsFault: ReadonlySet<ErrorCode> = new Set(['upstream_bad_request', 'upstream_content_rejected']);

/**
 * Whether a failed attempt counts against the provider's circuit: only what the provider did (upstream_*
 * codes: errors, timeouts, unusable answers), never what the gateway refused before or while calling it (a
 * request it cannot translate for this provider, admission queues, budgets, a gateway bug), which would let one
 * client's bad requests open the circuit for everyone.
 */
export function notTheProvidersFault(code: ErrorCode): boolean {
  return !code.startsWith('upstream_') || theRequestsFault.has(code);
}

/**
 * One breaker per provider model. Closed → open after `failureThreshold` consecutive failures;
 * open → half-open after `cooldownMs`, when exactly one probe is let through; the probe's outcome
 * closes it or re-opens it for another cooldown.
 */
export class CircuitBreakers {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly options: { failureThreshold: number; cooldownMs: number },
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go to this target now; a granted half-open probe must be followed by success() or failure(). */
  tryAcquire(key: string): boolean {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state === 'closed') return true;
    if (circuit.state === 'open') {
      if (this.now() - circuit.openedAt < this.options.cooldownMs) return false;
      circuit.state = 'half-open';
      circuit.probeInFlight = true;
      return true;
    }
    if (circuit.probeInFlight) return false;
    circuit.probeInFlight = true;
    return true;
  }

  success(key: string): void {
    const circuit = this.circuits.get(key);
    if (circuit) this.circuits.delete(key);
  }

  failure(key: string, code: ErrorCode): void {
    if (notTheProvidersFault(code)) {
      const circuit = this.circuits.get(key);
      if (circuit?.state === 'half-open') circuit.probeInFlight = false;
      return;
    }
    const circuit = this.circuits.get(key) ?? { state: 'closed', consecutiveFailures: 0, openedAt: 0, probeInFlight: false };
    circuit.consecutiveFailures += 1;
    if (circuit.state === 'half-open' || circuit.consecutiveFailures >= this.options.failureThreshold) {
      circuit.state = 'open';
      circuit.openedAt = this.now();
      circuit.probeInFlight = false;
    }
    this.circuits.set(key, circuit);
  }

  /** Release a half-open probe that ended without a verdict (client went away). */
  release(key: string): void {
    const circuit = this.circuits.get(key);
    if (circuit?.state === 'half-open') circuit.probeInFlight = false;
  }

  /** How long until an open circuit lets a probe through (for Retry-After); at least a second when half-open. */
  retryAfterMs(key: string): number {
    const circuit = this.circuits.get(key);
    if (!circuit || circuit.state !== 'open') return 1000;
    return Math.max(1000, circuit.openedAt + this.options.cooldownMs - this.now());
  }

  state(key: string): CircuitState {
    const circuit = this.circuits.get(key);
    if (!circuit) return 'closed';
    if (circuit.state === 'open' && this.now() - circuit.openedAt >= this.options.cooldownMs) return 'half-open';
    return circuit.state;
  }

  snapshot(): Array<{ key: string; state: CircuitState; consecutiveFailures: number }> {
    return [...this.circuits.entries()].map(([key, circuit]) => ({
      key,
      state: this.state(key),
      consecutiveFailures: circuit.consecutiveFailures,
    }));
  }
}
