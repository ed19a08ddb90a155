/**
 * Seeded workloads for the prefix-affinity fleet evaluation. A workload is a list of sessions; a session
 * is a system prompt and one or more turns (the next turn arrives `thinkMs` after the previous answer).
 * Sizes are in engine tokens (≈4 characters each). Per replica the engine caches 65,536 tokens
 * (4,096 blocks of 16), so the fleet of 4 caches 262,144.
 */

export interface Turn {
  user: string;
  maxTokens: number;
  thinkMs: number;
}

export interface Session {
  id: string;
  system: string;
  turns: Turn[];
}

export interface Workload {
  name: string;
  description: string;
  /** Whether requests carry the session id (sticky sessions, session hashing). */
  sessionIds: boolean;
  sessions(count: number, seed: number): Session[];
}

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random text of about `tokens` engine tokens (4 characters each: a space and three letters). */
export function randomText(random: () => number, tokens: number): string {
  const codes = new Uint8Array(tokens * 4);
  for (let i = 0; i < codes.length; i++) codes[i] = i % 4 === 0 ? 32 : 97 + Math.floor(random() * 26);
  return Buffer.from(codes).toString('latin1');
}

/** Zipf(s) sampler over ranks 0..n−1. */
export function zipf(random: () => number, n: number, s: number): () => number {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const u = random();
    const k = cdf.findIndex((c) => u <= c);
    return k < 0 ? n - 1 : k;
  };
}

const exponential = (random: () => number, mean: number) => -Math.log(1 - random()) * mean;

function singleTurn(name: string, description: string, prefixes: number, prefixTokens: number, choose: (r: () => number) => () => number): Workload {
  return {
    name,
    description,
    sessionIds: false,
    sessions(count, seed) {
      const random = rng(seed);
      const contexts = Array.from({ length: prefixes }, (_, k) => `Context ${k}.${randomText(random, prefixTokens)}`);
      const next = choose(random);
      return Array.from({ length: count }, (_, i) => ({
        id: `${name}-${i}`,
        system: contexts[next()]!,
        turns: [{ user: randomText(random, 256), maxTokens: 64, thinkMs: 0 }],
      }));
    },
  };
}

/** 40 tenants, each with a 4,096-token shared context (160k tokens: 2.5× one replica, 61% of the fleet). */
export const sharedSystem: Workload = singleTurn(
  'shared-system',
  '40 shared 4k-token system prompts, uniform; 256-token questions; 64 output tokens',
  40, 4096, (random) => () => Math.floor(random() * 40),
);

/** 64 prefixes of 2,048 tokens with Zipf(1.2) popularity: the hottest one gets about a third of the traffic. */
export const zipfHot: Workload = singleTurn(
  'zipf-hot',
  '64 shared 2k-token prefixes, Zipf(1.2) popularity; 256-token questions; 64 output tokens',
  64, 2048, (random) => zipf(random, 64, 1.2),
);

/** Every prompt unique (4,352 tokens, as shared-system): nothing to gain, nothing may be lost. */
export const noSharing: Workload = {
  name: 'no-sharing',
  description: 'unique 4,352-token prompts (control); 64 output tokens',
  sessionIds: false,
  sessions(count, seed) {
    const random = rng(seed);
    return Array.from({ length: count }, (_, i) => ({
      id: `no-sharing-${i}`,
      system: `Unique ${i}.${randomText(random, 4096)}`,
      turns: [{ user: randomText(random, 256), maxTokens: 64, thinkMs: 0 }],
    }));
  },
};

/** Conversations of 4–10 turns over 4 shared 512-token system prompts; history grows by ~330 tokens a turn. */
export const multiTurn: Workload = {
  name: 'multi-turn',
  description: '4–10 turn sessions, 4 shared 512-token system prompts, 200-token user turns, 128-token answers, think 2 s',
  sessionIds: true,
  sessions(count, seed) {
    const random = rng(seed);
    const systems = Array.from({ length: 4 }, (_, k) => `Assistant ${k}.${randomText(random, 512)}`);
    return Array.from({ length: count }, (_, i) => ({
      id: `session-${seed}-${i}`,
      system: systems[Math.floor(random() * systems.length)]!,
      turns: Array.from({ length: 4 + Math.floor(random() * 7) }, () => ({ user: randomText(random, 200), maxTokens: 128, thinkMs: exponential(random, 2000) })),
    }));
  },
};

export const WORKLOADS: readonly Workload[] = [sharedSystem, multiTurn, zipfHot, noSharing];
