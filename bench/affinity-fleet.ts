/**
 * A simulated fleet in deterministic virtual time: N simulated engines (src/simulator/engine), one
 * replica picker, a seeded workload. The picker sees only what a gateway sees — the prompt, the session
 * id, its own in-flight counts and each engine's /metrics text (scraped every `scrapeMs`). Hit rates come
 * only from the engines: `cached_tokens` in each usage and the engines' prefix-cache counters.
 */
import { ConsistentHashPicker, LeastLoadedPicker, parseVllmMetrics, PrefixAffinityPicker, RoundRobinPicker, type BalanceOptions, type PickReason, type ReplicaPicker } from '../src/affinity/index.js';
import { answerSeed, appendText, applyChatTemplate, blockHashes, EngineCore, KvCache, outputText, tokenize, VirtualClock, type EngineConfig, type EngineMessage } from '../src/simulator/engine/index.js';
import { rng, type Session, type Workload } from './affinity-workloads.js';

export type PolicyName = 'prefix-affinity' | 'round-robin' | 'least-loaded' | 'consistent-hash';
export const POLICIES: readonly PolicyName[] = ['prefix-affinity', 'round-robin', 'least-loaded', 'consistent-hash'];

export interface FleetConfig {
  replicas: number;
  engine: Partial<EngineConfig>;
  scrapeMs: number;
  sampleMs: number;
  metricsMaxAgeMs: number;
  balance: BalanceOptions;
  minMatchRatio: number;
  /** Index capacity per replica in router blocks of 16 tokens (the engine's KV blocks). */
  capacityBlocks: number;
}

export const DEFAULT_FLEET: FleetConfig = {
  replicas: 4,
  engine: { numBlocks: 4096, blockSize: 16, maxNumSeqs: 32, maxBatchedTokens: 2048, stepBaseMs: 8, prefillMsPerToken: 0.1, decodeMsPerSeq: 0.25 },
  scrapeMs: 50,
  sampleMs: 100,
  metricsMaxAgeMs: 500,
  balance: { absThreshold: 4, ratio: 1.5 },
  minMatchRatio: 0.3,
  capacityBlocks: 4096,
};

export function makePicker(policy: PolicyName, replicas: readonly string[], now: () => number, config: FleetConfig): ReplicaPicker {
  const base = { replicas, now, metricsMaxAgeMs: config.metricsMaxAgeMs };
  switch (policy) {
    case 'prefix-affinity':
      return new PrefixAffinityPicker({ ...base, blockSize: 16, capacityBlocks: config.capacityBlocks, balance: config.balance, minMatchRatio: config.minMatchRatio });
    case 'round-robin':
      return new RoundRobinPicker(base);
    case 'least-loaded':
      return new LeastLoadedPicker(base);
    case 'consistent-hash':
      return new ConsistentHashPicker({ ...base, key: 'session' });
  }
}

export interface RunOptions {
  workload: Workload;
  policy: PolicyName;
  seed: number;
  sessions: number;
  config?: FleetConfig;
  /** Open loop: sessions start as a Poisson process at this rate (per simulated second). */
  sessionRatePerS?: number;
  /** Closed loop instead: this many sessions at a time, no think time (capacity calibration). */
  closedConcurrency?: number;
  prefixCaching?: boolean;
  /** Requests arriving in the first fraction of the arrival period are not measured (default 0.15). */
  warmupFraction?: number;
}

export interface RunResult {
  workload: string;
  policy: string;
  seed: number;
  requests: number;
  rejected: number;
  /** Σ cached_tokens / Σ prompt_tokens over measured requests (engine usage). */
  hitRate: number;
  /** Δ prefix_cache_hits / Δ prefix_cache_queries over the whole run, from the engines' /metrics. */
  engineCounterHitRate: number;
  ttftP50Ms: number;
  ttftP90Ms: number;
  ttftP99Ms: number;
  /** max / mean over replicas of the time-averaged running + waiting requests. */
  loadMaxOverMean: number;
  /** max / mean over replicas of requests served. */
  requestsMaxOverMean: number;
  throughputRps: number;
  durationS: number;
  reasons: Partial<Record<PickReason, number>>;
  decisionP99Us: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function runFleet(options: RunOptions): RunResult {
  const config = options.config ?? DEFAULT_FLEET;
  const clock = new VirtualClock();
  const ids = Array.from({ length: config.replicas }, (_, i) => `replica-${i}`);
  const engines = ids.map(() => new EngineCore(clock, { ...config.engine, enablePrefixCaching: options.prefixCaching ?? true }));
  const picker = makePicker(options.policy, ids, () => clock.now(), config);
  const sessions = options.workload.sessions(options.sessions, options.seed);
  const random = rng(options.seed ^ 0x5eed);
  const closed = options.closedConcurrency !== undefined;

  const ttft: number[] = [];
  const decisions: number[] = [];
  const reasons: Partial<Record<PickReason, number>> = {};
  const served = new Array<number>(ids.length).fill(0);
  const loadSum = new Array<number>(ids.length).fill(0);
  let loadSamples = 0;
  let prompt = 0;
  let cached = 0;
  let requests = 0;
  let rejected = 0;
  let outstanding = sessions.length;
  let nextSession = 0;
  let windowStart = 0;
  let windowEnd = Infinity;
  const inWindow = (t: number) => t >= windowStart && t <= windowEnd;

  const startTurn = (session: Session, k: number, history: EngineMessage[]) => {
    const turn = session.turns[k]!;
    const messages = [...history, { role: 'user', content: turn.user }];
    const arrival = clock.now();
    const t0 = performance.now();
    const request = { prompt: { messages: messages as { role: string; content: string }[] }, ...(options.workload.sessionIds ? { sessionId: session.id } : {}) };
    const pick = picker.pick(request);
    decisions.push((performance.now() - t0) * 1000);
    reasons[pick.reason] = (reasons[pick.reason] ?? 0) + 1;
    const r = ids.indexOf(pick.replica);
    picker.onStart(pick.replica);
    const tokens = tokenize(applyChatTemplate(messages));
    engines[r]!.submit({
      tokens,
      maxTokens: turn.maxTokens,
      onFinish: (result) => {
        picker.onFinish(pick.replica);
        // The gateway sees the answer's text (what the next turn will send back as the assistant message).
        const answer = result.finishReason === 'done' ? outputText(answerSeed(tokens), result.completionTokens) : '';
        if (answer !== '') picker.onAnswer?.(pick.replica, request, answer);
        if (inWindow(arrival)) {
          if (result.finishReason === 'rejected') rejected++;
          else {
            requests++;
            served[r]!++;
            prompt += result.promptTokens;
            cached += result.cachedTokens;
            ttft.push(result.firstTokenAt - arrival);
          }
        }
        if (k + 1 < session.turns.length && result.finishReason === 'done') {
          clock.setTimer(closed ? 0 : turn.thinkMs, () => startTurn(session, k + 1, [...messages, { role: 'assistant', content: answer }]));
        } else {
          outstanding--;
          if (closed) launch();
        }
      },
    });
  };
  const launch = () => {
    if (nextSession >= sessions.length) return;
    const session = sessions[nextSession++]!;
    startTurn(session, 0, [{ role: 'system', content: session.system }]);
  };

  if (closed) {
    for (let i = 0; i < options.closedConcurrency!; i++) launch();
  } else {
    const rate = options.sessionRatePerS ?? 1;
    let t = 0;
    for (let i = 0; i < sessions.length; i++) {
      t += (-Math.log(1 - random()) / rate) * 1000;
      clock.setTimer(t, launch);
    }
    windowStart = t * (options.warmupFraction ?? 0.15);
    windowEnd = t;
  }
  if (closed) windowStart = 0;

  const scrape = () => {
    engines.forEach((engine, i) => {
      const metrics = parseVllmMetrics(engine.metricsText());
      if (metrics) picker.updateMetrics(ids[i]!, metrics);
    });
    if (outstanding > 0) clock.setTimer(config.scrapeMs, scrape);
  };
  const sample = () => {
    const now = clock.now();
    if (inWindow(now) && (closed || now <= windowEnd)) {
      engines.forEach((engine, i) => (loadSum[i]! += engine.numRunning + engine.numWaiting));
      loadSamples++;
    }
    if (outstanding > 0) clock.setTimer(config.sampleMs, sample);
  };
  scrape();
  sample();
  clock.run();

  const end = closed ? clock.now() : windowEnd;
  const counters = engines.map((e) => parseVllmMetrics(e.metricsText())!);
  const hits = counters.reduce((a, m) => a + (m.prefixCacheHits ?? 0), 0);
  const queries = counters.reduce((a, m) => a + (m.prefixCacheQueries ?? 0), 0);
  const avgLoad = loadSum.map((s) => s / Math.max(1, loadSamples));
  const meanLoad = avgLoad.reduce((a, b) => a + b, 0) / ids.length;
  const meanServed = served.reduce((a, b) => a + b, 0) / ids.length;
  return {
    workload: options.workload.name,
    policy: picker.name,
    seed: options.seed,
    requests,
    rejected,
    hitRate: prompt === 0 ? 0 : cached / prompt,
    engineCounterHitRate: queries === 0 ? 0 : hits / queries,
    ttftP50Ms: percentile(ttft, 50),
    ttftP90Ms: percentile(ttft, 90),
    ttftP99Ms: percentile(ttft, 99),
    loadMaxOverMean: meanLoad === 0 ? 1 : Math.max(...avgLoad) / meanLoad,
    requestsMaxOverMean: meanServed === 0 ? 1 : Math.max(...served) / meanServed,
    throughputRps: requests / Math.max(1e-9, (end - windowStart) / 1000),
    durationS: clock.now() / 1000,
    reasons,
    decisionP99Us: percentile(decisions, 99),
  };
}

/**
 * The highest engine hit rate any router can reach on a workload (Σ cached / Σ prompt tokens): every
 * request served in order by one engine with unbounded KV and no contention, so each turn finds all shared
 * prefixes seen before and the previous turn's prompt + answer. A fleet can only lose from here (a prefix
 * computed on another replica, eviction), so `ceiling ÷ round-robin` bounds any policy's ratio.
 */
export function hitRateCeiling(workload: Workload, sessions: number, seed: number, config: FleetConfig = DEFAULT_FLEET, warmupFraction = 0.15): number {
  const blockSize = config.engine.blockSize ?? 16;
  const kv = new KvCache(Number.MAX_SAFE_INTEGER, blockSize);
  const measuredFrom = Math.floor(sessions * warmupFraction); // as runFleet, sessions in the warm-up are not counted
  let prompt = 0;
  let cached = 0;
  for (const [i, session] of workload.sessions(sessions, seed).entries()) {
    let messages: EngineMessage[] = [{ role: 'system', content: session.system }];
    for (const turn of session.turns) {
      messages = [...messages, { role: 'user', content: turn.user }];
      const tokens = tokenize(applyChatTemplate(messages));
      const allocation = kv.allocate(blockHashes(tokens, blockSize), tokens.length, turn.maxTokens)!;
      if (i >= measuredFrom) {
        prompt += tokens.length;
        cached += allocation.cachedTokens;
      }
      const answer = outputText(answerSeed(tokens), turn.maxTokens);
      kv.release(allocation, blockHashes(appendText(tokens, answer), blockSize));
      messages = [...messages, { role: 'assistant', content: answer }];
    }
  }
  return prompt === 0 ? 0 : cached / prompt;
}

/**
 * The fleet's request capacity for a workload with prefix caching off ("cold"): closed loop, least-loaded,
 * enough sessions to fill every batch. "70% load" in the evaluation means 70% of this rate.
 */
export function coldCapacityRps(workload: Workload, seed: number, sessions: number, config: FleetConfig = DEFAULT_FLEET): number {
  const concurrency = config.replicas * (config.engine.maxNumSeqs ?? 32);
  const result = runFleet({ workload, policy: 'least-loaded', seed, sessions, config, closedConcurrency: concurrency, prefixCaching: false });
  return result.throughputRps;
}
