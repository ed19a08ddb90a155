/**
 * The engine's scheduler: a continuous-batching step loop. Each step admits waiting requests FCFS while
 * the batch has room (`maxNumSeqs`) and their KV blocks fit, then spends a token budget
 * (`maxBatchedTokens`): one token per decoding request, the rest on chunked prefill of *uncached* prompt
 * tokens. A step lasts stepBaseMs + prefillMsPerToken·prefill tokens + decodeMsPerSeq·decoding requests,
 * so TTFT = queue wait + prefill(prompt − cached) + step overheads, and a hot-spotted replica queues.
 */
import type { Clock } from './clock.js';
import { KvCache, type Allocation } from './kv-cache.js';
import { Histogram, renderMetrics } from './metrics.js';
import { answerSeed, appendText, blockHashes, outputText } from './tokenizer.js';

export interface EngineConfig {
  modelName: string;
  blockSize: number;
  numBlocks: number;
  maxNumSeqs: number;
  maxBatchedTokens: number;
  stepBaseMs: number;
  prefillMsPerToken: number;
  decodeMsPerSeq: number;
  enablePrefixCaching: boolean;
}

export const DEFAULT_ENGINE_CONFIG: EngineConfig = {
  modelName: 'sim-llm',
  blockSize: 16,
  numBlocks: 4096,
  maxNumSeqs: 32,
  maxBatchedTokens: 2048,
  stepBaseMs: 8,
  prefillMsPerToken: 0.1,
  decodeMsPerSeq: 0.25,
  enablePrefixCaching: true,
};

export interface EngineResult {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  arrivedAt: number;
  admittedAt: number;
  firstTokenAt: number;
  finishedAt: number;
  finishReason: 'done' | 'aborted' | 'rejected';
}

export interface EngineJob {
  tokens: ArrayLike<number>;
  maxTokens: number;
  /** Called at the end of the step that produced output token `index` (0-based). */
  onToken?: (index: number) => void;
  onFinish?: (result: EngineResult) => void;
}

interface Running {
  job: EngineJob;
  hashes: string[];
  result: EngineResult;
  allocation?: Allocation;
  prefillLeft: number;
  generated: number;
  done: boolean;
}

export interface EngineCounters {
  promptTokens: number;
  generationTokens: number;
  prefixQueries: number;
  prefixHits: number;
  requestsFinished: number;
}

export class EngineCore {
  readonly config: EngineConfig;
  readonly kv: KvCache;
  private readonly waiting: Running[] = [];
  private running: Running[] = [];
  private stepPending = false;
  readonly counters: EngineCounters = { promptTokens: 0, generationTokens: 0, prefixQueries: 0, prefixHits: 0, requestsFinished: 0 };
  readonly ttft = new Histogram();

  constructor(readonly clock: Clock, config: Partial<EngineConfig> = {}) {
    this.config = { ...DEFAULT_ENGINE_CONFIG, ...config };
    this.kv = new KvCache(this.config.numBlocks, this.config.blockSize, this.config.enablePrefixCaching);
  }

  get numRunning(): number {
    return this.running.length;
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  /** Queues a request; returns an abort function. Requests that can never fit are rejected at once. */
  submit(job: EngineJob): () => void {
    const now = this.clock.now();
    const maxTokens = Math.max(1, Math.floor(job.maxTokens));
    const entry: Running = {
      job: { ...job, maxTokens },
      hashes: blockHashes(job.tokens, this.config.blockSize),
      result: { promptTokens: job.tokens.length, cachedTokens: 0, completionTokens: 0, arrivedAt: now, admittedAt: NaN, firstTokenAt: NaN, finishedAt: NaN, finishReason: 'done' },
      prefillLeft: 0,
      generated: 0,
      done: false,
    };
    if (this.kv.blocksFor(job.tokens.length, maxTokens) > this.config.numBlocks) {
      this.finish(entry, 'rejected');
      return () => {};
    }
    this.waiting.push(entry);
    this.kick();
    return () => this.abort(entry);
  }

  private abort(entry: Running): void {
    if (entry.done) return;
    const at = this.waiting.indexOf(entry);
    if (at >= 0) this.waiting.splice(at, 1);
    this.running = this.running.filter((r) => r !== entry);
    this.finish(entry, 'aborted');
    this.kick();
  }

  private finish(entry: Running, reason: EngineResult['finishReason']): void {
    entry.done = true;
    if (entry.allocation) this.kv.release(entry.allocation, reason === 'done' ? this.sequenceHashes(entry) : []);
    entry.result.finishReason = reason;
    entry.result.completionTokens = entry.generated;
    entry.result.finishedAt = this.clock.now();
    if (reason === 'done') this.counters.requestsFinished++;
    entry.job.onFinish?.(entry.result);
  }

  /** Chained hashes of the prompt followed by the answer the engine generated (see KvCache.release). */
  private sequenceHashes(entry: Running): string[] {
    if (!this.config.enablePrefixCaching || entry.generated === 0) return [];
    const tokens = appendText(entry.job.tokens, outputText(answerSeed(entry.job.tokens), entry.generated));
    // Prompt blocks before the one holding its last token are unchanged (only that token can be refilled).
    const same = Math.min(entry.hashes.length, Math.floor((entry.job.tokens.length - 1) / this.config.blockSize));
    return same === 0 ? blockHashes(tokens, this.config.blockSize) : [...entry.hashes.slice(0, same), ...blockHashes(tokens, this.config.blockSize, same, entry.hashes[same - 1])];
  }

  private kick(): void {
    if (this.stepPending || (this.running.length === 0 && this.waiting.length === 0)) return;
    this.stepPending = true;
    this.clock.setTimer(0, () => this.step());
  }

  private step(): void {
    const now = this.clock.now();
    while (this.waiting.length > 0 && this.running.length < this.config.maxNumSeqs) {
      const entry = this.waiting[0]!;
      const allocation = this.kv.allocate(entry.hashes, entry.result.promptTokens, entry.job.maxTokens);
      if (!allocation) break;
      this.waiting.shift();
      entry.allocation = allocation;
      entry.result.admittedAt = now;
      entry.result.cachedTokens = allocation.cachedTokens;
      entry.prefillLeft = entry.result.promptTokens - allocation.cachedTokens;
      this.counters.prefixQueries += entry.result.promptTokens;
      this.counters.prefixHits += allocation.cachedTokens;
      this.counters.promptTokens += entry.result.promptTokens;
      this.running.push(entry);
    }
    if (this.running.length === 0) {
      this.stepPending = false;
      return;
    }
    let budget = this.config.maxBatchedTokens;
    const decoding = this.running.filter((r) => r.prefillLeft === 0);
    budget -= decoding.length;
    const chunks: [Running, number][] = [];
    let prefillTokens = 0;
    for (const entry of this.running) {
      if (entry.prefillLeft === 0 || budget <= 0) continue;
      const chunk = Math.min(entry.prefillLeft, budget);
      budget -= chunk;
      prefillTokens += chunk;
      chunks.push([entry, chunk]);
    }
    const c = this.config;
    const duration = c.stepBaseMs + c.prefillMsPerToken * prefillTokens + c.decodeMsPerSeq * decoding.length;
    this.clock.setTimer(duration, () => this.endStep(decoding, chunks));
  }

  private endStep(decoding: Running[], chunks: [Running, number][]): void {
    const now = this.clock.now();
    const emitted: Running[] = [];
    for (const [entry, chunk] of chunks) {
      if (entry.done) continue;
      entry.prefillLeft -= chunk;
      if (entry.prefillLeft === 0) {
        entry.result.firstTokenAt = now;
        this.ttft.observe((now - entry.result.arrivedAt) / 1000);
        emitted.push(entry);
      }
    }
    for (const entry of decoding) if (!entry.done) emitted.push(entry);
    for (const entry of emitted) {
      const index = entry.generated++;
      this.counters.generationTokens++;
      entry.job.onToken?.(index);
      if (entry.generated >= entry.job.maxTokens && !entry.done) {
        this.running = this.running.filter((r) => r !== entry);
        this.finish(entry, 'done');
      }
    }
    this.stepPending = false;
    this.kick();
  }

  /** The /metrics page (vLLM V1 names). */
  metricsText(): string {
    return renderMetrics(this, this.ttft);
  }

  /** Drops unreferenced cached blocks. */
  resetPrefixCache(): void {
    this.kv.resetPrefixCache();
  }
}
