import type { ModelKind, ModelPrice, ModelTier } from '../providers/preset.js';
import type { PrivacyFile, ProviderPolicyFile } from './privacy.js';
import type { AigcConfig } from '../aigc/config.js';
import type { SchedulingConfig } from '../scheduling/config-schema.js';
import type { ScenarioDefaults } from '../scheduling/priority.js';
import type { FlywheelConfig } from '../flywheel/config-schema.js';
import type { ClusterConfig } from '../cluster/config.js';
import type { ExperimentConfig } from '../experiments/config.js';
import type { TelemetryConfig } from '../telemetry/config.js';

/** The validated, frozen configuration every service is built from. Produced only by loadConfig. */
export interface ProviderConfig {
  readonly id: string;
  readonly preset: string;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Marks a self-hosted deployment; privacy routing may send sensitive requests only here. */
  readonly onPremises: boolean;
  readonly timeouts: {
    readonly connectMs: number;
    /** Time allowed until response headers (and, for streams, the first event) arrive. */
    readonly firstByteMs: number;
    /** Longest silence allowed between two body chunks. */
    readonly idleMs: number;
  };
  readonly retry: {
    /** Attempts per model including the first one. */
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    /** A Retry-After longer than this is not waited for; the model fails over instead. */
    readonly maxRetryAfterMs: number;
  };
  /** Replica base URLs of a self-hosted deployment (empty: baseUrl alone), and how a call picks one. */
  readonly replicas: readonly string[];
  readonly affinity: {
    readonly policy: 'prefix' | 'least-loaded' | 'round-robin';
    readonly capacityBlocks: number;
    readonly metricsIntervalMs: number;
  };
  /** Where /v1/batches lines for this provider's models run (models[].batch overrides); undefined: gateway. */
  readonly batch?: { readonly mode?: 'provider' | 'gateway' | 'auto' };
}

export interface ModelConfig {
  /** The name clients send as "model". */
  readonly id: string;
  readonly provider: string;
  /** The model name sent upstream. */
  readonly upstream: string;
  readonly tier: ModelTier;
  readonly kind: ModelKind;
  readonly fallbacks: readonly string[];
  readonly vision: boolean;
  readonly tools: boolean;
  readonly contextWindow: number | undefined;
  /** Dated price versions, oldest first: from the config when given, else the preset catalogue; empty means unpriced. */
  readonly prices: readonly ModelPrice[];
  /** Overrides of the global exact-cache settings for this model. */
  readonly cache?: CacheOverride;
  /** Admission limits (concurrency, tokens per minute) for this model; src/scheduling/ applies defaults. */
  readonly limits?: { readonly concurrency?: number; readonly tokensPerMinute?: number };
  /** Where /v1/batches lines for this model run: gateway, the provider's batch API, or auto (src/batch/batch-mode.ts). */
  readonly batch?: { readonly mode?: 'provider' | 'gateway' | 'auto' };
  /** Filing (备案号) or registration (上线编号) number, from the config or the preset catalogue; undefined: unfiled. */
  readonly filing?: string;
}

export interface CacheOverride {
  readonly exact?: { readonly enabled?: boolean; readonly ttlSeconds?: number };
  readonly semantic?: { readonly enabled?: boolean };
}

export interface RouteConfig {
  /** The name clients send as "model" (e.g. "auto"). */
  readonly id: string;
  /** Candidates in order of preference within each tier. */
  readonly light: readonly string[];
  readonly flagship: readonly string[];
  /** Share of always-flagship quality to keep (0–1); the router's threshold is calibrated to it. */
  readonly qualityTarget: number;
  /** Per-scenario targets, chosen by x-tidegate-scenario. */
  readonly scenarios: Readonly<Record<string, { readonly qualityTarget: number }>>;
  readonly cascade: {
    readonly enabled: boolean;
    readonly verifier: 'self-consistency' | 'judge' | 'arithmetic';
    readonly judge: string;
    readonly samples: number;
  };
  /** What leaves for a provider from this route's requests, overriding privacy.provider. */
  readonly privacy?: ProviderPolicyFile;
  /** Overrides of the global exact-cache settings for requests to this route. */
  readonly cache?: CacheOverride;
  /** Only models with a filing or registration number may serve this route (overrides the global requireFiled). */
  readonly requireFiled?: boolean;
}

export interface GatewayConfig {
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly bodyLimitBytes: number;
    /** On SIGTERM, readiness fails this long before new requests are refused (a pre-drain window). */
    readonly shutdownDelayMs: number;
    /** Then open requests and streams may finish for this long. */
    readonly drainMs: number;
    /** CORS for browser clients: the allowed origins (`*` for any); undefined sends no CORS headers. */
    readonly cors?: { readonly origins: readonly string[]; readonly maxAgeSeconds: number };
  };
  readonly storage: {
    /** `sqlite:<path>` (default `sqlite:./.tidegate/tidegate.db`) or `postgres://…`. */
    readonly url: string;
  };
  readonly admin: { readonly key: string | undefined };
  readonly circuitBreaker: {
    readonly failureThreshold: number;
    readonly cooldownMs: number;
  };
  readonly requestLog: {
    readonly enabled: boolean;
    readonly batchSize: number;
    readonly flushIntervalMs: number;
    /** Rows waiting to be written before requests wait for the writer (backpressure, never dropping). */
    readonly queueLimit: number;
  };
  readonly pricing: {
    /** CNY per USD for USD-priced models; stored with every ledger row that used it. */
    readonly usdToCny: number;
    /** The model whose price "always flagship" spend is measured against when a request has no route. */
    readonly flagshipReference: string | undefined;
  };
  readonly cache: {
    readonly exact: {
      /** Off by default; models and routes can turn it on or off for themselves. */
      readonly enabled: boolean;
      readonly ttlSeconds: number;
      readonly maxBytes: number;
      readonly store: 'memory' | 'sqlite' | 'redis';
      readonly path: string;
      readonly scope: 'key' | 'team';
    };
    readonly semantic: {
      readonly enabled: boolean;
      /** Scenarios (x-tidegate-scenario) for which it is on even when `enabled` is false. */
      readonly scenarios: readonly string[];
      readonly threshold: number;
      readonly ttlSeconds: number;
      readonly maxEntries: number;
      readonly scope: 'key' | 'team';
    };
  };
  /** AIGC labels (explicit, implicit metadata, unlabelled audit); undefined when not configured (src/aigc). */
  readonly aigc: AigcConfig | undefined;
  /** Refuse models without a filing or registration number (routes may override). */
  readonly requireFiled: boolean;
  /** Personal-data protection; undefined when not configured. */
  readonly privacy: (PrivacyFile & { readonly enabled: boolean }) | undefined;
  /** Shared state for several nodes (exact cache today); required by any feature set to use Redis. */
  readonly redis: { readonly url: string | undefined };
  /** Cluster mode (src/cluster/): shared budgets and rate limits, degraded-local mode, node heartbeat. */
  readonly cluster: ClusterConfig;
  /** OpenTelemetry export (src/telemetry/); undefined when off (the default), and then no OpenTelemetry module is loaded. */
  readonly telemetry?: TelemetryConfig;
  /** Per-scenario defaults: priority class and deadline of deferrable work (x-tidegate-scenario). */
  readonly scenarios: Readonly<Record<string, ScenarioDefaults>>;
  /** Admission queues and the deferred-work runner (src/scheduling/, src/batch/). */
  readonly scheduling: SchedulingConfig;
  /**
   * Deferred jobs and batch lines run by Tidegate (src/batch/). `retryInterrupted` (default false): a line sent to
   * the provider whose node died before the answer came back is retried instead of failing with
   * interrupted_unknown_outcome (the provider may then run it twice).
   */
  readonly batch: { readonly retryInterrupted: boolean };
  /** What /v1/responses keeps (answers and output items), for how long and up to how many bytes per node; keepMs 0: nothing. */
  readonly responses: { readonly keepMs: number; readonly maxBytes: number };
  /** Learning from traffic: opt-in capture and its retention, feedback metrics, scenario quality bars (src/flywheel/). */
  readonly flywheel: FlywheelConfig;
  /** Adaptive experiments (track-and-stop) between models or router versions, per scenario or route (src/experiments/). */
  readonly experiments: readonly ExperimentConfig[];
  readonly providers: readonly ProviderConfig[];
  readonly models: readonly ModelConfig[];
  readonly routes: readonly RouteConfig[];
  /** sha256 of the normalised config, stored on every request-log row. */
  readonly hash: string;
  /** The file it came from, or "environment" when built from API-key variables. */
  readonly source: string;
}
