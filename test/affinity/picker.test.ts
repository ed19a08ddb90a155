import { describe, expect, it } from 'vitest';
import { ConsistentHashPicker, LeastLoadedPicker, NoHealthyReplicaError, PrefixAffinityPicker, RoundRobinPicker, withAnswer } from '../../src/affinity/index.js';
import { ReplicaSet } from '../../src/affinity/replica-set.js';
import type { ChatRequest } from '../../src/canonical/chat.js';
import type { ProviderConfig } from '../../src/config/types.js';

const replicas = ['r0', 'r1', 'r2', 'r3'];
const text = (label: string, chars = 4096) => `${label}:`.padEnd(chars, `${label}-`);
const make = (options: Partial<ConstructorParameters<typeof PrefixAffinityPicker>[0]> = {}) => {
  let now = 0;
  const picker = new PrefixAffinityPicker({ replicas, capacityBlocks: 1000, balance: { absThreshold: 4, ratio: 1.5 }, now: () => now, ...options });
  return { picker, advance: (ms: number) => (now += ms) };
};

describe('PrefixAffinityPicker', () => {
  it('sends a repeated prefix back to the replica that holds it', () => {
    const { picker } = make();
    const system = text('system-a');
    const first = picker.pick({ prompt: `${system} question one` });
    expect(first.reason).toBe('least-loaded');
    expect(first.matchedBlocks).toBe(0);
    const second = picker.pick({ prompt: `${system} another question` });
    expect(second).toMatchObject({ replica: first.replica, reason: 'prefix' });
    expect(second.matchedBlocks).toBe(Math.floor(system.length / 64));
    expect(second.totalBlocks).toBeGreaterThanOrEqual(second.matchedBlocks);
  });

  it('spreads distinct prefixes and falls back to least-loaded below the match threshold', () => {
    const { picker } = make();
    const chosen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const pick = picker.pick({ prompt: text(`tenant-${i}`) });
      picker.onStart(pick.replica);
      chosen.add(pick.replica);
    }
    expect(chosen.size).toBe(4);
    // shares only a short head with tenant-0's prompt: match ratio below 0.3
    const { picker: p2 } = make();
    const a = p2.pick({ prompt: text('shared', 640) + text('x', 4096) });
    p2.onStart(a.replica);
    const b = p2.pick({ prompt: text('shared', 640) + text('y', 4096) });
    expect(b.reason).toBe('least-loaded');
    expect(b.replica).not.toBe(a.replica);
  });

  it('overrides affinity when the fleet is imbalanced (max − min > abs and max > ratio × min)', () => {
    const { picker } = make();
    const hot = text('hot');
    const home = picker.pick({ prompt: hot }).replica;
    for (let i = 0; i < 5; i++) picker.onStart(home); // 5 − 0 > 4
    expect(picker.imbalanced()).toBe(true);
    const pick = picker.pick({ prompt: hot });
    expect(pick.reason).toBe('balance');
    expect(pick.replica).not.toBe(home);
    // the prefix is now also indexed on the new replica
    for (const r of replicas) if (r !== home) for (let i = 0; i < 4; i++) picker.onStart(r);
    expect(picker.imbalanced()).toBe(false); // 5 vs 4
    expect(picker.pick({ prompt: hot }).reason).toBe('prefix');
  });

  it('uses fresh /metrics load and falls back to in-flight counts when they go stale', () => {
    const { picker, advance } = make({ metricsMaxAgeMs: 1000 });
    picker.updateMetrics('r0', { running: 30, waiting: 10 });
    for (const r of ['r1', 'r2', 'r3']) picker.updateMetrics(r, { running: 2, waiting: 0 });
    picker.onStart('r1');
    expect(picker.loadOf('r0')).toBe(40);
    expect(picker.loadOf('r1')).toBe(3); // sample + dispatched since
    expect(picker.imbalanced()).toBe(true);
    expect(picker.pick({ prompt: 'x' }).replica).not.toBe('r0');
    advance(2000);
    expect(picker.loadOf('r0')).toBe(0);
    expect(picker.loadOf('r1')).toBe(1);
  });

  it('records the answer, so the next turn matches the previous prompt and the answer', () => {
    const { picker } = make();
    const turn1 = { prompt: { messages: [{ role: 'system', content: text('agent', 2048) }, { role: 'user', content: text('question', 512) }] } };
    const first = picker.pick(turn1);
    const answer = text('answer', 1024);
    const turn2 = { prompt: { messages: [...turn1.prompt.messages, { role: 'assistant', content: answer }, { role: 'user', content: 'and then?' }] } };
    const before = picker.hashes(turn1).length;
    picker.onAnswer(first.replica, turn1, answer);
    const second = picker.pick(turn2);
    expect(second).toMatchObject({ replica: first.replica, reason: 'prefix' });
    expect(second.matchedBlocks).toBe(picker.hashes({ prompt: withAnswer(turn1.prompt, answer) }).length);
    expect(second.matchedBlocks).toBeGreaterThan(before + 10);
    expect(withAnswer('text prompt, ', 'answer')).toBe('text prompt, answer');
  });

  it('keeps a session on its replica while healthy, and moves it when not', () => {
    const { picker } = make();
    const first = picker.pick({ prompt: text('conversation'), sessionId: 's1' });
    for (let i = 0; i < 10; i++) picker.onStart(first.replica);
    const again = picker.pick({ prompt: text('something else entirely'), sessionId: 's1' });
    expect(again).toMatchObject({ replica: first.replica, reason: 'session' });
    picker.setHealthy(first.replica, false);
    const moved = picker.pick({ prompt: text('conversation'), sessionId: 's1' });
    expect(moved.replica).not.toBe(first.replica);
    expect(picker.pick({ prompt: 'x', sessionId: 's1' }).replica).toBe(moved.replica);
    picker.setHealthy(first.replica, true);
    expect(picker.pick({ prompt: 'x', sessionId: 's1' }).replica).toBe(moved.replica);
  });

  it('bounds the index to capacityBlocks per replica and forgets a reset replica', () => {
    const { picker } = make({ capacityBlocks: 50, replicas: ['only'] });
    for (let i = 0; i < 20; i++) picker.pick({ prompt: text(`p${i}`) });
    expect(picker.indexSize('only')).toBe(50);
    picker.resetReplica('only');
    expect(picker.indexSize('only')).toBe(0);
  });

  it('throws when no replica is healthy', () => {
    const { picker } = make();
    for (const r of replicas) picker.setHealthy(r, false);
    expect(() => picker.pick({ prompt: 'x' })).toThrow(NoHealthyReplicaError);
  });

  it('decides in well under a millisecond on a 10k-token prompt (median)', () => {
    const { picker } = make({ capacityBlocks: 31_250 });
    const prompts = Array.from({ length: 50 }, (_, i) => text(`tenant-${i % 10}-${i}`, 40_000));
    const times: number[] = [];
    for (const prompt of prompts) {
      const t0 = performance.now();
      picker.pick({ prompt });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    expect(times[25]!).toBeLessThan(5); // generous: the machine is shared; the bench reports p99
  });
});

describe('baselines', () => {
  it('round-robin cycles over healthy replicas', () => {
    const picker = new RoundRobinPicker({ replicas });
    picker.setHealthy('r2', false);
    expect(Array.from({ length: 6 }, () => picker.pick({ prompt: 'x' }).replica)).toEqual(['r0', 'r1', 'r3', 'r0', 'r1', 'r3']);
  });

  it('least-loaded picks the replica with the fewest requests', () => {
    const picker = new LeastLoadedPicker({ replicas });
    for (const [r, n] of [['r0', 3], ['r1', 1], ['r2', 2], ['r3', 4]] as const) for (let i = 0; i < n; i++) picker.onStart(r);
    expect(picker.pick({ prompt: 'x' }).replica).toBe('r1');
    picker.onFinish('r0');
    picker.onFinish('r0');
    picker.onFinish('r0');
    expect(picker.pick({ prompt: 'x' }).replica).toBe('r0');
  });

  it('consistent hashing is stable per session or prefix, and moves only the keys of a lost replica', () => {
    const picker = new ConsistentHashPicker({ replicas, key: 'session' });
    const before = Array.from({ length: 200 }, (_, i) => picker.pick({ prompt: 'x', sessionId: `s${i}` }).replica);
    expect(new Set(before).size).toBe(4);
    expect(picker.pick({ prompt: 'x', sessionId: 's7' }).replica).toBe(before[7]);
    picker.setHealthy('r1', false);
    const after = Array.from({ length: 200 }, (_, i) => picker.pick({ prompt: 'x', sessionId: `s${i}` }).replica);
    after.forEach((r, i) => {
      if (before[i] !== 'r1') expect(r).toBe(before[i]);
      else expect(r).not.toBe('r1');
    });
    const byPrefix = new ConsistentHashPicker({ replicas, key: 'prefix' });
    const system = text('system', 2000);
    expect(byPrefix.pick({ prompt: `${system} q1` }).replica).toBe(byPrefix.pick({ prompt: `${system} q2` }).replica);
  });

  it('bounded-load consistent hashing skips an overloaded replica', () => {
    const picker = new ConsistentHashPicker({ replicas, key: 'session', loadFactor: 1.25 });
    const home = picker.pick({ prompt: 'x', sessionId: 'hot' }).replica;
    for (let i = 0; i < 10; i++) picker.onStart(home);
    expect(picker.pick({ prompt: 'x', sessionId: 'hot' }).replica).not.toBe(home);
  });
});

describe('ReplicaSet', () => {
  it('a lease released with the answer records it for the conversation’s next turn', () => {
    const urls = ['http://a/v1', 'http://b/v1', 'http://c/v1'];
    const set = new ReplicaSet({ id: 'vllm', baseUrl: urls[0] } as ProviderConfig, urls, { policy: 'prefix', capacityBlocks: 1000, metricsIntervalMs: 0 });
    const turn1 = [{ role: 'system', content: text('agent', 768) }, { role: 'user', content: text('question', 256) }];
    const answer = text('answer', 4096); // without it, the next turn would match under 30% of its blocks
    const request = (messages: unknown[]) => ({ model: 'm', messages }) as unknown as ChatRequest;
    const first = set.lease(request(turn1), undefined);
    expect(first.provider.baseUrl).toBe(first.replica);
    first.release(answer);
    const busy = set.lease(request([{ role: 'user', content: 'other' }]), undefined); // keeps one replica loaded
    const second = set.lease(request([...turn1, { role: 'assistant', content: answer }, { role: 'user', content: 'more' }]), undefined);
    expect(second).toMatchObject({ replica: first.replica, reason: 'prefix' });
    busy.release();
    second.release();
  });
});
