/** The engine's /metrics page, in vLLM V1 Prometheus names. */
import type { EngineCore } from './core.js';

export const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

export class Histogram {
  readonly counts = new Array<number>(TTFT_BUCKETS.length).fill(0);
  count = 0;
  sum = 0;

  observe(value: number): void {
    this.count++;
    this.sum += value;
    for (let i = 0; i < TTFT_BUCKETS.length; i++) if (value <= TTFT_BUCKETS[i]!) this.counts[i]!++;
  }
}

const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function renderMetrics(engine: EngineCore, ttft: Histogram): string {
  const c = engine.config;
  const model = `model_name="${escape(c.modelName)}"`;
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${model}} ${value}`);
  };
  metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', engine.numRunning);
  metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', engine.numWaiting);
  metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', engine.kv.usage);
  metric('vllm:prefix_cache_queries_total', 'counter', 'Prefix cache queries, in terms of number of queried tokens.', engine.counters.prefixQueries);
  metric('vllm:prefix_cache_hits_total', 'counter', 'Prefix cache hits, in terms of number of cached tokens.', engine.counters.prefixHits);
  metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', engine.counters.promptTokens);
  metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', engine.counters.generationTokens);
  metric('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', engine.counters.requestsFinished);
  lines.push('# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig', '# TYPE vllm:cache_config_info gauge');
  lines.push(`vllm:cache_config_info{block_size="${c.blockSize}",enable_prefix_caching="${c.enablePrefixCaching}",num_gpu_blocks="${c.numBlocks}"} 1`);
  lines.push('# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.', '# TYPE vllm:time_to_first_token_seconds histogram');
  TTFT_BUCKETS.forEach((bound, i) => lines.push(`vllm:time_to_first_token_seconds_bucket{${model},le="${bound}"} ${ttft.counts[i]}`));
  lines.push(`vllm:time_to_first_token_seconds_bucket{${model},le="+Inf"} ${ttft.count}`);
  lines.push(`vllm:time_to_first_token_seconds_count{${model}} ${ttft.count}`, `vllm:time_to_first_token_seconds_sum{${model}} ${ttft.sum}`);
  return `${lines.join('\n')}\n`;
}
