/**
 * Replica load from Prometheus text exposition (vLLM V1 and V0 names, SGLang names as a fallback).
 */

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** What the picker uses from a replica's /metrics. */
export interface ReplicaMetrics {
  /** Requests in the running batch. */
  running: number;
  /** Requests queued in the engine. */
  waiting: number;
  /** KV-cache usage, 0..1, when exposed. */
  kvCacheUsage?: number;
  /** Prefix-cache counters (tokens), when exposed: hit rate is Δhits/Δqueries. */
  prefixCacheHits?: number;
  prefixCacheQueries?: number;
  /** KV blocks and block size from vllm:cache_config_info, when exposed. */
  numGpuBlocks?: number;
  blockSize?: number;
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad sample value ${JSON.stringify(text)}`);
  return value;
}

/** Parses `name{a="b",c="d"} value [timestamp]` lines; comments and blank lines are skipped, bad lines ignored. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      samples.push(parseLine(line));
    } catch {
      // A malformed line must not hide the others.
    }
  }
  return samples;
}

function parseLine(line: string): PromSample {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error('bad metric name');
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') i++;
      if (line[i] === '}') { i++; break; }
      const eq = line.indexOf('=', i);
      if (eq < 0 || line[eq + 1] !== '"') throw new Error('bad label');
      const key = line.slice(i, eq).trim();
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\') {
          j++;
          const c = line[j];
          value += c === 'n' ? '\n' : c ?? '';
        } else value += line[j];
      }
      if (j >= line.length) throw new Error('unterminated label value');
      labels[key] = value;
      i = j + 1;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  return { name, labels, value: parseValue(rest[0] ?? '') };
}

const RUNNING = ['vllm:num_requests_running', 'sglang:num_running_reqs'];
const WAITING = ['vllm:num_requests_waiting', 'sglang:num_queue_reqs'];
const KV_USAGE = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage'];
const HITS = ['vllm:prefix_cache_hits_total', 'vllm:prefix_cache_hits', 'vllm:gpu_prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits'];
const QUERIES = ['vllm:prefix_cache_queries_total', 'vllm:prefix_cache_queries', 'vllm:gpu_prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries'];

/**
 * Extracts replica load from /metrics text: gauges summed over label sets (one per served model unless
 * `modelName` filters), KV usage as the maximum. The first name found in each list wins (V1 before V0).
 * Returns undefined when the text has neither a running nor a waiting gauge.
 */
export function parseVllmMetrics(text: string, modelName?: string): ReplicaMetrics | undefined {
  const samples = parsePrometheusText(text).filter((s) => modelName === undefined || s.labels.model_name === undefined || s.labels.model_name === modelName);
  const pick = (names: string[], combine: (values: number[]) => number): number | undefined => {
    for (const name of names) {
      const values = samples.filter((s) => s.name === name && Number.isFinite(s.value)).map((s) => s.value);
      if (values.length > 0) return combine(values);
    }
    return undefined;
  };
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const max = (values: number[]) => Math.max(...values);
  const running = pick(RUNNING, sum);
  const waiting = pick(WAITING, sum);
  if (running === undefined && waiting === undefined) return undefined;
  const metrics: ReplicaMetrics = { running: running ?? 0, waiting: waiting ?? 0 };
  const kv = pick(KV_USAGE, max);
  if (kv !== undefined) metrics.kvCacheUsage = kv > 1 ? kv / 100 : kv;
  const hits = pick(HITS, sum);
  const queries = pick(QUERIES, sum);
  if (hits !== undefined) metrics.prefixCacheHits = hits;
  if (queries !== undefined) metrics.prefixCacheQueries = queries;
  const info = samples.find((s) => s.name === 'vllm:cache_config_info');
  if (info) {
    const blocks = Number(info.labels.num_gpu_blocks);
    const size = Number(info.labels.block_size);
    if (Number.isFinite(blocks) && blocks > 0) metrics.numGpuBlocks = blocks;
    if (Number.isFinite(size) && size > 0) metrics.blockSize = size;
  }
  return metrics;
}
