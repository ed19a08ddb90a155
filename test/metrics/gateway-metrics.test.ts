import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { Services } from '../../src/pipeline/services.js';
import type { RequestLogRow } from '../../src/storage/index.js';
import { makeRow } from '../storage/storage-targets.js';
import { parseExposition, seriesCount, type Family } from './exposition-checker.js';

const config = {
  models: [{ id: 'deepseek-chat' }, { id: 'qwen-max' }],
  providers: [{ id: 'deepseek' }, { id: 'qwen' }],
  routes: [{ id: 'auto' }],
} as unknown as ConstructorParameters<typeof GatewayMetrics>[0];

function traffic(keys: number, perKey: number): RequestLogRow[] {
  const rows: RequestLogRow[] = [];
  for (let k = 0; k < keys; k += 1) {
    for (let i = 0; i < perKey; i += 1) {
      const n = k * perKey + i;
      const cached = n % 5 === 0 || n % 13 === 0;
      rows.push(makeRow({
        apiKeyId: `key_${k}`,
        clientIp: `10.0.${k % 250}.${i}`,
        // Clients also send model names the config does not know (a 404), each one different.
        modelRequested: n % 7 === 0 ? `made-up-model-${n}` : n % 2 === 0 ? 'auto' : 'qwen-max',
        modelServed: n % 7 === 0 ? null : n % 2 === 0 ? 'deepseek-chat' : 'qwen-max',
        provider: n % 7 === 0 ? null : n % 2 === 0 ? 'deepseek' : 'qwen',
        status: n % 7 === 0 ? 404 : n % 11 === 0 ? 502 : 200,
        cacheStatus: n % 5 === 0 ? 'hit' : n % 13 === 0 ? 'semantic-hit' : 'miss',
        latencyMs: (n * 37) % 20_000,
        firstByteMs: n % 3 === 0 ? (n * 11) % 5_000 : null,
        upstreamMs: n % 4 === 0 ? Math.max(0, ((n * 37) % 20_000) - (n % 90)) : null,
        costNanoCny: cached ? 0 : 1_000_000 + n,
        flagshipCostNanoCny: 9_000_000,
        cacheSavedNanoCny: cached ? 9_000_000 : 0,
      }));
    }
  }
  return rows;
}

function scrape(rows: readonly RequestLogRow[]): Family[] {
  const metrics = new GatewayMetrics(config);
  for (const row of rows) metrics.observe(row);
  return parseExposition(metrics.render());
}

const family = (families: Family[], name: string) => families.find((f) => f.name === name)!;
const sum = (f: Family, sample = f.name) => f.samples.filter((s) => s.name === sample).reduce((total, s) => total + s.value, 0);

describe('the strict exposition checker', () => {
  it('refuses what Prometheus would refuse', () => {
    expect(() => parseExposition('# TYPE a counter\na 1\na 2\n')).toThrow(/duplicate series/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parseExposition('a{x="\\q"} 1\n')).toThrow(/bad escape/);
    expect(() => parseExposition('# TYPE a counter\na 1\n# TYPE b counter\nb 1\na{x="y"} 2\n')).toThrow(/contiguous/);
    expect(() => parseExposition('a 1')).toThrow(/newline/);
  });
});

describe('GET /metrics content', () => {
  it('keeps the series count the same for 1,000 API keys as for one, and far below 1,000', () => {
    const many = scrape(traffic(1000, 20));
    const one = scrape(traffic(1, 20_000));
    const series = (families: Family[]) => new Set(families.flatMap((f) => f.samples.map((s) => `${s.name}${JSON.stringify(s.labels)}`)));
    expect(seriesCount(many)).toBeLessThan(1000);
    expect(series(many)).toEqual(series(one));
    const labelValues = many.flatMap((f) => f.samples.flatMap((s) => Object.values(s.labels)));
    expect(labelValues.some((value) => value.startsWith('key_') || value.startsWith('10.0.') || value.startsWith('made-up-model'))).toBe(false);
    expect(labelValues).toContain('_other');
  });

  it('counts requests, tokens, spend and savings by source, and histograms every request', () => {
    const rows = traffic(10, 100);
    const families = scrape(rows);
    expect(sum(family(families, 'tidegate_requests_total'))).toBe(rows.length);
    const duration = family(families, 'gen_ai_client_operation_duration_seconds');
    expect(duration.type).toBe('histogram');
    expect(sum(duration, 'gen_ai_client_operation_duration_seconds_count')).toBe(rows.length);
    expect(sum(family(families, 'gen_ai_client_operation_time_to_first_chunk_seconds'), 'gen_ai_client_operation_time_to_first_chunk_seconds_count')).toBe(rows.filter((r) => r.firstByteMs !== null).length);
    expect(sum(family(families, 'tidegate_gateway_overhead_seconds'), 'tidegate_gateway_overhead_seconds_count')).toBe(rows.filter((r) => r.upstreamMs !== null).length);
    const expectedSpend = rows.reduce((total, r) => total + r.costNanoCny, 0) / 1e9;
    expect(sum(family(families, 'tidegate_spend_cny_total'))).toBeCloseTo(expectedSpend, 6);
    const output = family(families, 'gen_ai_client_token_usage_tokens_total').samples.filter((s) => s.labels.gen_ai_token_type === 'output');
    expect(output.reduce((t, s) => t + s.value, 0)).toBe(rows.reduce((t, r) => t + r.usage.output, 0));
    const savings = family(families, 'tidegate_savings_cny_total');
    const bySource = (source: string) => savings.samples.filter((s) => s.labels.source === source).reduce((t, s) => t + s.value, 0);
    expect(bySource('cache')).toBeCloseTo(rows.filter((r) => r.cacheStatus === 'hit').length * 0.009, 6);
    expect(bySource('semantic_cache')).toBeCloseTo(rows.filter((r) => r.cacheStatus === 'semantic-hit').length * 0.009, 6);
    expect(bySource('routing')).toBeGreaterThan(0);
  });

  it('reads queue depths, circuit states and degraded mode at scrape time', () => {
    let waiting = 3;
    const services = {
      scheduler: { snapshot: () => ({ classes: {}, models: [{ model: 'deepseek-chat', inFlight: 2, waiting: { interactive: waiting, standard: 1, deferrable: 0 }, serviceMs: null, limits: {} }] }) },
      breakers: { snapshot: () => [{ key: 'deepseek/deepseek-chat', state: 'open', consecutiveFailures: 5 }] },
      cluster: { status: () => ({ node: 'n1', nodes: 2, redis: 'end', budgets: { mode: 'degraded-local', degradedSince: null, degradedEpisodes: 1, localAdmissions: 7, failClosedRefusals: 0, pendingCommits: 0 } }) },
    } as unknown as Services;
    const metrics = new GatewayMetrics(config, () => services);
    const read = (name: string) => family(parseExposition(metrics.render()), name).samples;
    expect(read('tidegate_admission_queue_depth').find((s) => s.labels.priority === 'interactive')?.value).toBe(3);
    waiting = 9;
    expect(read('tidegate_admission_queue_depth').find((s) => s.labels.priority === 'interactive')?.value).toBe(9);
    expect(read('tidegate_admission_in_flight')[0]?.value).toBe(2);
    expect(read('tidegate_circuit_state')).toEqual([{ name: 'tidegate_circuit_state', labels: { circuit: 'deepseek/deepseek-chat' }, value: 2 }]);
    expect(read('tidegate_degraded_mode')[0]?.value).toBe(1);
    expect(read('tidegate_degraded_local_admissions')[0]?.value).toBe(7);
  });
});
