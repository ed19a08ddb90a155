import type { GatewayConfig } from '../config/types.js';
import type { Services } from '../pipeline/services.js';
import { LATENCY_BOUNDS_MS, OVERHEAD_BOUNDS_MS } from '../rollups/buckets.js';
import type { RequestLogRow } from '../storage/index.js';
import { Counter, Gauge, Histogram, OTHER, Registry } from './registry.js';

/** Label sets per metric at most; the traffic's own values can never grow a scrape beyond this. */
const MAX_SERIES = 2_000;
const seconds = (bounds: readonly number[]) => bounds.map((ms) => ms / 1000);
const NANO = 1e9;

export function statusClass(status: number): string {
  return status >= 500 ? '5xx' : status >= 400 ? '4xx' : status >= 300 ? '3xx' : '2xx';
}

/**
 * What a finished call saved against always using the flagship, in CNY, by source (routing, cache,
 * semantic_cache, provider_cache); shared by /metrics and the OpenTelemetry counters (src/telemetry/).
 * Counters never go down: a fallback that cost more than the flagship (negative routing savings) is left
 * out here; the dashboard reports it.
 */
export function savingsBySource(row: RequestLogRow): Array<[source: string, cny: number]> {
  const savings: Array<[string, number]> = [];
  const routing = row.flagshipCostNanoCny - row.costNanoCny - row.cacheSavedNanoCny;
  if (routing > 0) savings.push(['routing', routing / NANO]);
  if (row.cacheSavedNanoCny > 0) savings.push([row.cacheStatus === 'semantic-hit' ? 'semantic_cache' : 'cache', row.cacheSavedNanoCny / NANO]);
  if (row.providerCacheSavedNanoCny > 0) savings.push(['provider_cache', row.providerCacheSavedNanoCny / NANO]);
  return savings;
}

const circuitValue = { closed: 0, 'half-open': 1, open: 2 } as const;
const TOKEN_KINDS = [['input_uncached', 'inputUncached'], ['cache_read', 'cacheRead'], ['cache_write', 'cacheWrite'], ['output', 'output'], ['reasoning', 'reasoning'], ['image', 'imageTokens']] as const;

/**
 * Tidegate's Prometheus metrics. Labels are only names from the configuration (model, provider, route),
 * the status class and the cache result, never keys, users or request ids: a model or route name a client
 * sent that the config does not know is counted as "_other". Names follow the OpenTelemetry GenAI
 * conventions where one exists (gen_ai_client_*), tidegate_* otherwise.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #models: ReadonlySet<string>;
  readonly #providers: ReadonlySet<string>;
  readonly #routes: ReadonlySet<string>;
  readonly #requests: Counter;
  readonly #duration: Histogram;
  readonly #firstChunk: Histogram;
  readonly #overhead: Histogram;
  readonly #tokens: Counter;
  readonly #spend: Counter;
  readonly #savings: Counter;

  constructor(config: Pick<GatewayConfig, 'models' | 'providers' | 'routes'>, services?: () => Services | undefined) {
    this.#models = new Set(config.models.map((model) => model.id));
    this.#providers = new Set(config.providers.map((provider) => provider.id));
    this.#routes = new Set([...this.#models, ...config.routes.map((route) => route.id)]);
    const r = this.registry;
    const request = ['model', 'provider', 'route', 'status_class', 'cache'];
    this.#requests = r.add(new Counter('tidegate_requests_total', 'Model calls answered, by served model, provider, requested route, status class and cache result.', request, MAX_SERIES));
    this.#duration = r.add(new Histogram('gen_ai_client_operation_duration_seconds', 'Time from request to last byte, as the client saw it.', request, MAX_SERIES, seconds(LATENCY_BOUNDS_MS)));
    this.#firstChunk = r.add(new Histogram('gen_ai_client_operation_time_to_first_chunk_seconds', 'Time from request to the first byte of the answer.', ['model', 'provider', 'route'], MAX_SERIES, seconds(LATENCY_BOUNDS_MS)));
    this.#overhead = r.add(new Histogram('tidegate_gateway_overhead_seconds', 'Time spent in the gateway itself: total time minus time waiting on the provider.', ['model', 'provider'], MAX_SERIES, seconds(OVERHEAD_BOUNDS_MS)));
    this.#tokens = r.add(new Counter('gen_ai_client_token_usage_tokens_total', 'Tokens billed, by kind (gen_ai_token_type).', ['model', 'provider', 'gen_ai_token_type'], MAX_SERIES));
    this.#spend = r.add(new Counter('tidegate_spend_cny_total', 'What the provider calls cost, in CNY.', ['model', 'provider'], MAX_SERIES));
    this.#savings = r.add(new Counter('tidegate_savings_cny_total', 'Saved against always using the flagship, in CNY, by source (routing, cache, semantic_cache, provider_cache).', ['model', 'source'], MAX_SERIES));
    if (services) this.#addGauges(services);
  }

  #name(set: ReadonlySet<string>, value: string | null): string {
    if (value === null) return '';
    return set.has(value) ? value : OTHER;
  }

  /** Counts one finished call, from its request-log row (called by the ledger, off nothing slow: only map updates). */
  observe(row: RequestLogRow): void {
    const model = this.#name(this.#models, row.modelServed);
    const provider = this.#name(this.#providers, row.provider);
    const route = this.#name(this.#routes, row.modelRequested);
    this.#requests.inc([model, provider, route, statusClass(row.status), row.cacheStatus]);
    this.#duration.observe([model, provider, route, statusClass(row.status), row.cacheStatus], row.latencyMs / 1000);
    if (row.firstByteMs !== null) this.#firstChunk.observe([model, provider, route], row.firstByteMs / 1000);
    if (row.upstreamMs !== null) this.#overhead.observe([model, provider], Math.max(0, row.latencyMs - row.upstreamMs) / 1000);
    for (const [kind, field] of TOKEN_KINDS) if (row.usage[field] > 0) this.#tokens.inc([model, provider, kind], row.usage[field]);
    if (row.costNanoCny > 0) this.#spend.inc([model, provider], row.costNanoCny / NANO);
    for (const [source, cny] of savingsBySource(row)) this.#savings.inc([model, source], cny);
  }

  #addGauges(services: () => Services | undefined): void {
    const r = this.registry;
    const scheduler = () => services()?.scheduler?.snapshot();
    r.add(new Gauge('tidegate_admission_queue_depth', 'Requests waiting for an admission slot, per model and priority class.', ['model', 'priority'], MAX_SERIES, function* () {
      for (const model of scheduler()?.models ?? []) for (const [priority, waiting] of Object.entries(model.waiting)) yield [[model.model, priority], waiting] as const;
    }));
    r.add(new Gauge('tidegate_admission_in_flight', 'Requests holding an admission slot, per model.', ['model'], MAX_SERIES, function* () {
      for (const model of scheduler()?.models ?? []) yield [[model.model], model.inFlight] as const;
    }));
    r.add(new Gauge('tidegate_circuit_state', 'Circuit breaker per provider target: 0 closed, 1 half-open, 2 open.', ['circuit'], MAX_SERIES, function* () {
      for (const circuit of services()?.breakers.snapshot() ?? []) yield [[circuit.key], circuitValue[circuit.state]] as const;
    }));
    r.add(new Gauge('tidegate_degraded_mode', 'Cluster mode: 1 while budgets are enforced on local shares because Redis is unreachable.', [], 1, function* () {
      const cluster = services()?.cluster?.status();
      if (cluster) yield [[], cluster.budgets.mode === 'degraded-local' ? 1 : 0] as const;
    }));
    const clusterCounter = (name: string, help: string, field: 'degradedEpisodes' | 'localAdmissions' | 'failClosedRefusals') =>
      r.add(new Gauge(name, help, [], 1, function* () {
        const cluster = services()?.cluster?.status();
        if (cluster) yield [[], cluster.budgets[field]] as const;
      }));
    clusterCounter('tidegate_degraded_episodes', 'Cluster mode: times this node entered degraded-local mode since start.', 'degradedEpisodes');
    clusterCounter('tidegate_degraded_local_admissions', 'Cluster mode: requests admitted on a local budget share since start.', 'localAdmissions');
    clusterCounter('tidegate_degraded_fail_closed_refusals', 'Cluster mode: requests refused because a fail-closed budget could not reach Redis, since start.', 'failClosedRefusals');
  }

  render(): string {
    return this.registry.render();
  }
}
