import { z } from 'zod';
import { privacyAllowedKeys, privacySchema } from './privacy.js';
import { aigcAllowedKeys, aigcSchema } from '../aigc/config.js';
import { describeValue, formatPath, listNames, suggestion, type ConfigProblem, type PathSegment } from './config-error.js';
import type { SourcePositions } from './interpolate.js';
import type { CatalogueModel, ModelPrice, PresetDefinition } from '../providers/preset.js';
import type { ModelConfig, ProviderConfig } from './types.js';
import { captureKeys, captureSchema, metricKeys, metricsSchema, scenarioQualityKeys, scenariosWithQualitySchema } from '../flywheel/config-schema.js';
import { evaluatorKeys } from '../flywheel/evaluator-config.js';
import { clusterKeys, clusterSchema } from '../cluster/config.js';
import { otlpKeys, telemetryKeys, telemetrySchema } from '../telemetry/config.js';
import { experimentArmKeys, experimentKeys, experimentsSchema } from '../experiments/config.js';
import { batchForwardKeys, batchForwardSchema, modelLimitsKeys, modelLimitsSchema, scenarioDefaultsKeys, schedulingKeys, schedulingSchema } from '../scheduling/config-schema.js';

/** Numbers and booleans may also arrive as strings from `${VAR}` interpolation: "8080" is accepted as 8080. */
export const numeric = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => numeric(z.number().int().min(min).max(max)).optional();
const amount = numeric(z.number().min(0));
const bool = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean()).optional();

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const httpUrl = z.string().refine(isHttpUrl, { error: 'must be an http(s) URL such as https://api.example.com/v1' });
export const storageUrl = z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, { error: 'must be "sqlite:<path>" or "postgres://user:password@host/database"' });
export const providerIdPattern = /^[a-z0-9._-]+$/;

export const serverSchema = z.strictObject({
  host: z.string().min(1).optional(),
  port: int(0, 65_535),
  bodyLimitBytes: int(1),
  /** Shutdown: readiness (/readyz) answers 503 this long while requests are still served, so balancers move away. */
  shutdownDelayMs: int(0, 600_000),
  /** Shutdown: open requests and streams may finish for this long before they are cut. */
  drainMs: int(0, 3_600_000),
  /** Browsers calling the gateway from these origins (`*` for any) get CORS headers and preflight answers. */
  cors: z.strictObject({
    origins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, { error: 'must be "*" or an origin such as https://app.example.com (scheme and host, no path)' })).min(1),
    maxAgeSeconds: int(0, 86_400).optional(),
  }).optional(),
});
export const storageSchema = z.strictObject({ url: storageUrl.optional() });
export const adminSchema = z.strictObject({ key: z.string().optional() });
export const circuitBreakerSchema = z.strictObject({ failureThreshold: int(1), cooldownMs: int(0) });
export const requestLogSchema = z.strictObject({ enabled: bool, batchSize: int(1), flushIntervalMs: int(0), queueLimit: int(1) });
export const timeoutsSchema = z.strictObject({ connectMs: int(1), firstByteMs: int(1), idleMs: int(1) });
/**
 * `batch:` deferred jobs and /v1/batches lines run by Tidegate. `retryInterrupted`: a line that was sent to the
 * provider when its node died (SIGKILL, lost lease) ends as failed with interrupted_unknown_outcome by default,
 * so no line runs twice; true retries it once more instead (an answer, at the risk of the provider running it twice).
 */
export const batchSchema = z.strictObject({ retryInterrupted: bool });
/**
 * `responses:` what /v1/responses keeps of its answers (unless a request says store: false), for
 * previous_response_id, item references and GET: for `keepMs` (0 keeps nothing), up to `maxBytes` per node.
 */
export const responsesSchema = z.strictObject({ keepMs: int(0, 7 * 86_400_000), maxBytes: int(0) });
export const retrySchema = z.strictObject({ maxAttempts: int(1, 20), baseDelayMs: int(0), maxDelayMs: int(0), maxRetryAfterMs: int(0) });

export const providerSchema = z.strictObject({
  id: z.string().regex(providerIdPattern, { error: 'must use only a-z, 0-9, ".", "_" and "-"' }),
  preset: z.string().min(1),
  baseUrl: httpUrl.optional(),
  apiKey: z.string().optional(),
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'is not a valid HTTP header name' }), z.string()).optional(),
  onPremises: bool,
  timeouts: timeoutsSchema.optional(),
  retry: retrySchema.optional(),
  models: z.enum(['all', 'none']).optional(),
  /** Base URLs of the replicas of one self-hosted deployment; each call goes to one, chosen by `affinity`. */
  replicas: z.array(httpUrl).min(1).optional(),
  affinity: z
    .strictObject({
      policy: z.enum(['prefix', 'least-loaded', 'round-robin']).optional(),
      capacityBlocks: int(1),
      metricsIntervalMs: int(0),
    })
    .optional(),
  /** Where /v1/batches lines for this provider's models run: gateway (default), provider (its batch API) or auto. */
  batch: batchForwardSchema.optional(),
});

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date written YYYY-MM-DD' });

/**
 * A price in config: per-token (CNY or USD per 1M tokens), or a self-hosted GPU cost converted to
 * per-token with the deployment's measured throughput.
 */
export const priceSchema = z
  .strictObject({
    input: amount.optional(),
    cacheRead: amount.optional(),
    cacheWrite: amount.optional(),
    output: amount.optional(),
    reasoning: amount.optional(),
    currency: z.enum(['CNY', 'USD']).optional(),
    batch: numeric(z.number().min(0).max(1)).optional(),
    gpuHourCny: amount.optional(),
    tokensPerSecond: numeric(z.number().positive()).optional(),
    since: dateSchema.optional(),
    source: z.string().optional(),
  })
  .refine((price) => (price.input !== undefined && price.output !== undefined) || (price.gpuHourCny !== undefined && price.tokensPerSecond !== undefined), {
    error: 'give input and output (per 1M tokens), or gpuHourCny and tokensPerSecond',
  });

export const pricingSchema = z.strictObject({
  usdToCny: numeric(z.number().positive()).optional(),
  flagshipReference: z.string().min(1).optional(),
});

/** Per model or route: turn the exact cache on or off, or change its TTL, against the global default. */
export const exactOverrideSchema = z.strictObject({ enabled: bool, ttlSeconds: int(1) });
export const cacheOverrideSchema = z.strictObject({ exact: exactOverrideSchema.optional(), semantic: z.strictObject({ enabled: bool }).optional() });

export const cacheSchema = z.strictObject({
  exact: z
    .strictObject({
      enabled: bool,
      ttlSeconds: int(1),
      maxBytes: int(1024),
      store: z.enum(['memory', 'sqlite', 'redis']).optional(),
      /** SQLite store file (default ./.tidegate/cache.db). */
      path: z.string().min(1).optional(),
      /** Whose requests share entries: each API key alone (default) or every key of a team. */
      scope: z.enum(['key', 'team']).optional(),
    })
    .optional(),
  semantic: z
    .strictObject({
      /** Off by default: on for every request, or only for the scenarios listed (x-tidegate-scenario). */
      enabled: bool,
      scenarios: z.array(z.string().min(1)).optional(),
      /** Calibrated for the built-in similarity; change only after re-running the calibration (README). */
      threshold: numeric(z.number().gt(0).max(1)).optional(),
      ttlSeconds: int(1),
      maxEntries: int(1),
      scope: z.enum(['key', 'team']).optional(),
    })
    .optional(),
});
export const redisSchema = z.strictObject({ url: z.string().regex(/^rediss?:\/\/.+/, { error: 'must be a redis:// or rediss:// URL' }) });

export const modelSchema = z.strictObject({
  id: z.string().min(1),
  provider: z.string().min(1),
  upstream: z.string().min(1).optional(),
  tier: z.enum(['flagship', 'light']).optional(),
  kind: z.enum(['chat', 'embedding']).optional(),
  fallbacks: z.array(z.string().min(1)).optional(),
  vision: bool,
  tools: bool,
  contextWindow: int(1),
  price: priceSchema.optional(),
  prices: z.array(priceSchema).min(1).optional(),
  cache: cacheOverrideSchema.optional(),
  limits: modelLimitsSchema.optional(),
  batch: batchForwardSchema.optional(),
  /** Filing (备案号) or registration (上线编号) number of the service behind this model; overrides the catalogue. */
  filing: z.string().trim().min(1).optional(),
});

export const configFileSchema = z.strictObject({
  server: serverSchema.optional(),
  storage: storageSchema.optional(),
  admin: adminSchema.optional(),
  circuitBreaker: circuitBreakerSchema.optional(),
  requestLog: requestLogSchema.optional(),
  pricing: pricingSchema.optional(),
  cache: cacheSchema.optional(),
  redis: redisSchema.optional(),
  /** Several nodes sharing PostgreSQL and Redis (src/cluster/): budgets, rate limits, circuits, leases. */
  cluster: clusterSchema.optional(),
  privacy: privacySchema.optional(),
  /** AIGC labels (src/aigc/): explicit label wording and place, implicit metadata, unlabelled audit. */
  aigc: aigcSchema.optional(),
  /** Refuse models without a filing or registration number (备案号 / 上线编号); routes may override. */
  requireFiled: bool,
  /** Scheduling defaults and (src/flywheel/) a quality bar per scenario. */
  scenarios: scenariosWithQualitySchema.optional(),
  /** Learning from traffic (src/flywheel/): opt-in content capture with retention, and feedback metrics. */
  capture: captureSchema.optional(),
  metrics: metricsSchema.optional(),
  /** Adaptive experiments between models or router versions on live traffic (src/experiments/). */
  experiments: experimentsSchema.optional(),
  /** OpenTelemetry traces and metrics over OTLP/HTTP (src/telemetry/); off unless telemetry.otlp is set. */
  telemetry: telemetrySchema.optional(),
  scheduling: schedulingSchema.optional(),
  /** Deferred jobs and batch lines run by Tidegate: what happens to a line interrupted after it was sent. */
  batch: batchSchema.optional(),
  responses: responsesSchema.optional(),
  routes: z.array(z.unknown()).optional(),
  // Entries are checked one by one (providerSchema, modelSchema) so one bad entry does not hide the others.
  providers: z.array(z.unknown()).optional(),
  models: z.array(z.unknown()).optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;
export type ProviderEntry = z.output<typeof providerSchema>;
export type ModelEntry = z.output<typeof modelSchema>;

/** The keys allowed at each place, by path pattern (`models[].price`), for "did you mean" suggestions. */
const allowedKeys: Record<string, readonly string[]> = {
  '': Object.keys(configFileSchema.shape),
  server: Object.keys(serverSchema.shape),
  storage: Object.keys(storageSchema.shape),
  admin: Object.keys(adminSchema.shape),
  circuitBreaker: Object.keys(circuitBreakerSchema.shape),
  requestLog: Object.keys(requestLogSchema.shape),
  pricing: Object.keys(pricingSchema.shape),
  cache: Object.keys(cacheSchema.shape),
  'cache.exact': ['enabled', 'ttlSeconds', 'maxBytes', 'store', 'path', 'scope'],
  'cache.semantic': ['enabled', 'scenarios', 'threshold', 'ttlSeconds', 'maxEntries', 'scope'],
  redis: Object.keys(redisSchema.shape),
  cluster: clusterKeys,
  'cluster.failClosed': ['keys', 'teams'],
  ...privacyAllowedKeys,
  ...aigcAllowedKeys,
  'models[].cache': ['exact', 'semantic'],
  'models[].limits': modelLimitsKeys,
  'models[].batch': batchForwardKeys,
  'providers[].batch': batchForwardKeys,
  scheduling: schedulingKeys,
  batch: Object.keys(batchSchema.shape),
  'scenarios.*': [...scenarioDefaultsKeys, 'quality'],
  'scenarios.*.quality': scenarioQualityKeys,
  'scenarios.*.quality.evaluator': evaluatorKeys,
  capture: captureKeys,
  'metrics.*': metricKeys,
  'experiments[]': experimentKeys,
  'experiments[].arms[]': experimentArmKeys,
  telemetry: telemetryKeys,
  'telemetry.otlp': otlpKeys,
  'models[].cache.exact': Object.keys(exactOverrideSchema.shape),
  'routes[].cache': ['exact', 'semantic'],
  'routes[].cache.exact': Object.keys(exactOverrideSchema.shape),
  'providers[]': Object.keys(providerSchema.shape),
  'providers[].timeouts': Object.keys(timeoutsSchema.shape),
  'providers[].retry': Object.keys(retrySchema.shape),
  'providers[].affinity': ['policy', 'capacityBlocks', 'metricsIntervalMs'],
  'models[]': Object.keys(modelSchema.shape),
  'models[].price': Object.keys(priceSchema.shape),
  'models[].prices[]': Object.keys(priceSchema.shape),
  'routes[]': ['id', 'light', 'flagship', 'qualityTarget', 'scenarios', 'cascade', 'cache', 'privacy', 'requireFiled'],
  'routes[].cascade': ['enabled', 'verifier', 'judge', 'samples'],
};

function patternOf(path: readonly PathSegment[]): string {
  return path.map((segment, index) => (typeof segment === 'number' ? '[]' : `${index === 0 ? '' : '.'}${String(segment)}`)).join('');
}

export function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as PropertyKey];
  }
  return current;
}

const expectedNames: Record<string, string> = {
  int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false',
  array: 'a list', object: 'a mapping', record: 'a mapping', map: 'a mapping',
};

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `expected ${expectedNames[issue.expected] ?? issue.expected}, got ${describeValue(value)}`;
    case 'invalid_value': {
      const options = issue.values.map((option) => JSON.stringify(option));
      const hint = typeof value === 'string' ? suggestion(value, issue.values.map(String)) : '';
      return `expected ${options.join(' or ')}, got ${describeValue(value)}${hint}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) > 1 ? `must be at least ${String(issue.minimum)} characters` : 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} entries`;
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}, got ${describeValue(value)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}, got ${describeValue(value)}`;
    case 'invalid_key':
      return `invalid key: it ${issue.issues[0]?.message ?? 'is not allowed here'}`;
    case 'invalid_format':
    case 'custom':
      return `${issue.message}, got ${describeValue(value)}`;
    default:
      return issue.message;
  }
}

/** Turns zod issues into located problems: unknown keys one by one with a suggestion, types with what was expected. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], data: unknown, positions: SourcePositions | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length === 0 ? 'at top level' : `in ${formatPath(issue.path)}`;
      const allowed = allowedKeys[patternOf(issue.path)] ?? allowedKeys[`${patternOf(issue.path.slice(0, -1))}.*`] ?? [];
      for (const key of issue.keys) {
        const hint = suggestion(key, allowed) || (allowed.length > 0 ? ` (allowed keys: ${listNames(allowed, 20)})` : '');
        problems.push({ ...positions?.locate([...issue.path, key], true), path: formatPath([...issue.path, key]), message: `unknown key ${JSON.stringify(key)} ${where}${hint}` });
      }
      continue;
    }
    const path = formatPath(issue.path);
    const text = describeIssue(issue, valueAt(data, issue.path));
    problems.push({ ...positions?.locate(issue.path, issue.code === 'invalid_key'), path, message: `${path || 'top level'}: ${text}` });
  }
  return problems;
}

/** Config prices may leave out since/source; a GPU-hour cost becomes the same per-token price in and out. */
const CONFIG_SINCE = '1970-01-01';
type PriceEntry = z.output<typeof priceSchema>;

function configPrice(price: PriceEntry): ModelPrice {
  const perToken = price.gpuHourCny !== undefined && price.tokensPerSecond !== undefined
    ? (price.gpuHourCny / (price.tokensPerSecond * 3600)) * 1e6
    : undefined;
  const gpuSource = perToken === undefined ? undefined : `¥${price.gpuHourCny}/GPU-hour at ${price.tokensPerSecond} tokens/s`;
  return {
    since: price.since ?? CONFIG_SINCE,
    currency: perToken === undefined ? price.currency ?? 'CNY' : 'CNY',
    input: price.input ?? perToken ?? 0,
    ...(price.cacheRead === undefined ? {} : { cacheRead: price.cacheRead }),
    ...(price.cacheWrite === undefined ? {} : { cacheWrite: price.cacheWrite }),
    output: price.output ?? perToken ?? 0,
    ...(price.reasoning === undefined ? {} : { reasoning: price.reasoning }),
    ...(price.batch === undefined ? {} : { batch: price.batch }),
    source: price.source ?? gpuSource ?? 'config',
  };
}

/** A provider entry with every default applied. */
export function buildProvider(entry: ProviderEntry, preset: PresetDefinition): ProviderConfig {
  return {
    id: entry.id,
    preset: preset.id,
    baseUrl: (entry.baseUrl ?? preset.baseUrl).replace(/\/+$/, ''),
    apiKey: entry.apiKey === undefined || entry.apiKey === '' ? undefined : entry.apiKey,
    headers: { ...entry.headers },
    onPremises: entry.onPremises ?? false,
    timeouts: { connectMs: 5_000, firstByteMs: 60_000, idleMs: 30_000, ...entry.timeouts },
    retry: { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 20_000, ...entry.retry },
    replicas: (entry.replicas ?? []).map((url) => url.replace(/\/+$/, '')),
    affinity: { policy: 'prefix', capacityBlocks: 65_536, metricsIntervalMs: 1_000, ...entry.affinity },
    ...(entry.batch ? { batch: { ...entry.batch } } : {}),
  };
}

/** A model entry (or a catalogue model added by `models: all`) with defaults from the preset catalogue. */
export function buildModel(entry: ModelEntry | undefined, id: string, provider: string, catalogue: readonly CatalogueModel[], upstream: string): ModelConfig {
  const known = catalogue.find((candidate) => candidate.id === upstream);
  const kind = entry?.kind ?? known?.kind ?? 'chat';
  return {
    id,
    provider,
    upstream,
    tier: entry?.tier ?? known?.tier ?? 'flagship',
    kind,
    fallbacks: [...(entry?.fallbacks ?? [])],
    vision: entry?.vision ?? known?.vision ?? false,
    tools: entry?.tools ?? (known ? known.tools ?? false : kind === 'chat'),
    contextWindow: entry?.contextWindow ?? known?.contextWindow,
    prices: entry?.prices
      ? entry.prices.map(configPrice).sort((a, b) => a.since.localeCompare(b.since))
      : entry?.price
        ? [configPrice(entry.price)]
        : known ? known.prices.map((version) => ({ ...version })) : [],
    cache: { ...(entry?.cache?.exact ? { exact: { ...entry.cache.exact } } : {}), ...(entry?.cache?.semantic ? { semantic: { ...entry.cache.semantic } } : {}) },
    ...(entry?.limits ? { limits: { ...entry.limits } } : {}),
    ...(entry?.batch ? { batch: { ...entry.batch } } : {}),
    ...((entry?.filing ?? known?.filing) ? { filing: entry?.filing ?? known?.filing } : {}),
  };
}
