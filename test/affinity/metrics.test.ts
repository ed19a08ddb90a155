import { describe, expect, it } from 'vitest';
import { parsePrometheusText, parseVllmMetrics } from '../../src/affinity/index.js';

const V1 = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="qwen"} 3.0
vllm:num_requests_running{engine="1",model_name="qwen"} 2.0
vllm:num_requests_waiting{engine="0",model_name="qwen"} 4.0
vllm:num_requests_waiting{engine="1",model_name="qwen"} 0.0
vllm:kv_cache_usage_perc{engine="0",model_name="qwen"} 0.25
vllm:kv_cache_usage_perc{engine="1",model_name="qwen"} 0.5
vllm:prefix_cache_queries_total{engine="0",model_name="qwen"} 1000.0
vllm:prefix_cache_hits_total{engine="0",model_name="qwen"} 750.0
vllm:cache_config_info{block_size="16",enable_prefix_caching="True",num_gpu_blocks="31250"} 1.0
vllm:time_to_first_token_seconds_bucket{le="+Inf",model_name="qwen"} 12
`;

describe('Prometheus text parsing', () => {
  it('reads names, labels (with escapes), values and timestamps', () => {
    const samples = parsePrometheusText('# comment\n\na_b:c{x="1",y="q\\"uo\\\\te,}"} 2.5 1700000000000\nplain 7\nweird{le="+Inf"} +Inf\nnope{ 1\n');
    expect(samples).toEqual([
      { name: 'a_b:c', labels: { x: '1', y: 'q"uo\\te,}' }, value: 2.5 },
      { name: 'plain', labels: {}, value: 7 },
      { name: 'weird', labels: { le: '+Inf' }, value: Infinity },
    ]);
  });

  it('extracts vLLM V1 load: gauges summed over engines, KV usage as the maximum', () => {
    expect(parseVllmMetrics(V1)).toEqual({ running: 5, waiting: 4, kvCacheUsage: 0.5, prefixCacheHits: 750, prefixCacheQueries: 1000, numGpuBlocks: 31250, blockSize: 16 });
  });

  it('filters by model name', () => {
    const text = 'vllm:num_requests_running{model_name="a"} 1\nvllm:num_requests_running{model_name="b"} 5\n';
    expect(parseVllmMetrics(text, 'b')?.running).toBe(5);
  });

  it('reads V0 names (gpu_cache_usage_perc, gpu_prefix_cache_*) and SGLang names', () => {
    const v0 = 'vllm:num_requests_running{model_name="m"} 2\nvllm:num_requests_waiting{model_name="m"} 1\nvllm:gpu_cache_usage_perc{model_name="m"} 0.9\nvllm:gpu_prefix_cache_hits_total 5\nvllm:gpu_prefix_cache_queries_total 10\n';
    expect(parseVllmMetrics(v0)).toEqual({ running: 2, waiting: 1, kvCacheUsage: 0.9, prefixCacheHits: 5, prefixCacheQueries: 10 });
    expect(parseVllmMetrics('sglang:num_running_reqs 3\nsglang:num_queue_reqs 2\nsglang:token_usage 0.4\n')).toEqual({ running: 3, waiting: 2, kvCacheUsage: 0.4 });
  });

  it('returns undefined when the page has no load gauges', () => {
    expect(parseVllmMetrics('process_cpu_seconds_total 12\n')).toBeUndefined();
  });
});
