import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedCircuitBreakers } from '../../src/stability/shared-circuit-breakers.js';
import { chat, createKey, eventually, startFleet, type Fleet } from './cluster-harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const circuit = 'deepseek/deepseek-flash';

describe('circuit breakers shared through Redis', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(2, { extraYaml: 'circuitBreaker: { failureThreshold: 2, cooldownMs: 800 }' });
  }, 30_000);
  afterAll(async () => fleet?.close());

  it('a circuit opened on node A is honoured by node B, and exactly one half-open probe is sent fleet-wide', async () => {
    const [a, b] = fleet.nodes as [typeof fleet.nodes[0], typeof fleet.nodes[0]];
    const { key } = await createKey(a, { name: 'circuits' });
    fleet.simulator.script('deepseek', [
      { kind: 'error', status: 500, error: 'server_error' },
      { kind: 'error', status: 500, error: 'server_error' },
    ]);
    const failed = await chat(a, key, 'first');
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const openedAt = Date.now();
    const upstreamCalls = () => fleet.simulator.requests.filter((request) => request.path.endsWith('/chat/completions')).length;
    expect(upstreamCalls()).toBe(2); // two failures open it; the third attempt is refused by the circuit

    // Node B never saw a failure; within one refresh it refuses too, without calling the provider.
    await sleep(300);
    expect(await chat(b, key, 'on b')).toMatchObject({ status: 503, code: 'circuit_open' });
    expect(upstreamCalls()).toBe(2);
    const view = (await (await fetch(`${b.url}/healthz`)).json()) as { circuits_not_closed: unknown };
    expect(view.circuits_not_closed).toEqual([{ key: circuit, state: 'open', consecutiveFailures: 2 }]);

    // Cooldown over: both nodes hammer the model while the one probe is slow; only the probe reaches it.
    await sleep(Math.max(0, openedAt + 850 - Date.now()));
    fleet.simulator.script('deepseek', [{ kind: 'delay', ms: 1_000 }]);
    const during: Array<Promise<{ status: number }>> = [];
    for (let i = 0; i < 30; i += 1) {
      during.push(chat(fleet.nodes[i % 2]!, key, `half-open ${i}`));
      await sleep(20);
    }
    expect(upstreamCalls()).toBe(3);
    const outcomes = await Promise.all(during);
    expect(outcomes.filter((outcome) => outcome.status === 200)).toHaveLength(1);
    // The probe succeeded: closed on every node again.
    expect(await eventually(async () => (await chat(b, key, 'after')).status === 200 && (await chat(a, key, 'after')).status === 200, 2_000)).toBe(true);
  }, 30_000);
});

describe('shared circuit breakers without Redis', () => {
  it('fall back to this node’s own breaker: open after the threshold, one probe after the cooldown', async () => {
    const redis = new Redis('redis://127.0.0.1:9/14', { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => undefined);
    let now = 1_000;
    const breakers = new SharedCircuitBreakers(redis, { failureThreshold: 2, cooldownMs: 100, prefix: 'unused', nodeId: 'n1' }, () => now);
    try {
      await breakers.refresh();
      breakers.failure(circuit, 'upstream_unavailable');
      breakers.failure(circuit, 'upstream_unavailable');
      expect(breakers.tryAcquire(circuit)).toBe(false);
      now += 150;
      expect(breakers.tryAcquire(circuit)).toBe(true); // the probe
      expect(breakers.tryAcquire(circuit)).toBe(false);
      breakers.success(circuit);
      expect(breakers.state(circuit)).toBe('closed');
    } finally {
      breakers.close();
      redis.disconnect();
    }
  });
});
