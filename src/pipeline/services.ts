import type { ExactCache } from '../cache/exact-cache.js';
import type { SemanticStage } from '../cache/semantic-stage.js';
import type { PrivacyEngine } from '../privacy/index.js';
import type { AigcStage } from '../aigc/label-sink.js';
import type { PromptCacheShaper } from '../cache/provider/prompt-cache-shaping.js';
import type { GatewayConfig, ModelConfig } from '../config/types.js';
import type { TeamLimitsSource } from '../budgets/admission.js';
import type { BudgetEnforcer } from '../budgets/budget-guard.js';
import type { Logger } from '../logging/logger.js';
import type { Pricer } from '../pricing/pricer.js';
import type { RoutingTables } from '../routing/policy.js';
import type { RouterService } from '../routing/router-service.js';
import type { ApiKeySummary, CreatedApiKey, KeyLimits, TeamLimits, RequestLogRow, RequestLogStats, UsageGroup, UsageRow } from '../storage/index.js';
import type { CircuitBreakers } from '../stability/circuit-breaker.js';
import type { RequestContext } from './request-context.js';
import type { Target } from './targets.js';
import type { AdmissionController } from '../scheduling/admission-controller.js';
import type { DeferredWork } from '../batch/deferred-work.js';
import type { FlywheelService } from '../flywheel/flywheel-service.js';
import type { ExperimentService } from '../experiments/experiment-service.js';
import type { ClusterNode } from '../cluster/cluster-node.js';
import type { Overview } from '../rollups/overview.js';
import type { Database } from '../storage/database.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ResponseItems } from '../translate/responses-items.js';

/** Receives every finished model call; the request log writes it off the request path. */
export interface Ledger {
  record(context: RequestContext): void | Promise<void>;
  /** A finished call whose row was committed elsewhere (deferred jobs and batch lines, with their job): /metrics and telemetry only. */
  observe?(context: RequestContext, row: RequestLogRow): void;
}

export interface KeyAdmin {
  create(name: string, limits: Partial<KeyLimits>): Promise<CreatedApiKey>;
  update(idOrPrefix: string, limits: Partial<KeyLimits>): Promise<boolean>;
  list(): Promise<ApiKeySummary[]>;
  revoke(idOrPrefix: string): Promise<boolean>;
  setTeam(name: string, limits: Partial<Omit<TeamLimits, 'name'>>): Promise<TeamLimits>;
  listTeams(): Promise<TeamLimits[]>;
}

export interface RequestLogReader {
  recent(options: { limit: number; apiKeyId?: string }): Promise<unknown[]>;
  usage(options: { group: UsageGroup; since: number; until: number; apiKeyId?: string }): Promise<UsageRow[]>;
  /** The writer's queue and counters (rows written, write transactions); absent in tools that build Services by hand. */
  writes?(): RequestLogStats;
}

/** Services built once in the composition root (src/gateway.ts) and passed to every handler. */
export interface Services {
  readonly config: GatewayConfig;
  readonly models: ReadonlyMap<string, ModelConfig>;
  /** Models and routes by name, for the routing policy. */
  readonly routing: RoutingTables;
  /** The learned router behind routes such as `auto`; undefined when none is loaded. */
  readonly router: RouterService | undefined;
  readonly targets: ReadonlyMap<string, Target>;
  readonly breakers: CircuitBreakers;
  readonly pricer: Pricer;
  /** Output items of recent /v1/responses answers, for item references; absent in tools that build Services by hand. */
  readonly responseItems?: ResponseItems;
  /** The exact response cache (a no-op planner when no store is configured). */
  readonly cache: ExactCache;
  /** The semantic response cache (opt-in per route, model or scenario). */
  readonly semantic: SemanticStage;
  /** AIGC labels and the unlabelled-answer audit (src/aigc); undefined when `aigc:` is not configured. */
  readonly aigc?: AigcStage;
  /** Personal-data masking before anything leaves (src/privacy); undefined when privacy is off. */
  readonly privacy: PrivacyEngine | undefined;
  /** Cache markers and hints that help providers' own context caches (cache/provider/). */
  readonly promptCache: PromptCacheShaper;
  readonly budgets: { readonly guard: BudgetEnforcer; readonly teams: TeamLimitsSource };
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly keys: KeyAdmin;
  readonly requestLog: RequestLogReader;
  /** Admission control per provider model (src/scheduling/); absent in tools that build Services by hand. */
  readonly scheduler?: AdmissionController;
  /** Deferred jobs, batches and files (src/batch/). */
  readonly deferred?: DeferredWork;
  /** Capture of opted-in content, feedback and retention (src/flywheel/); absent in tools that build Services by hand. */
  readonly flywheel?: FlywheelService;
  /** Live experiments between models or router versions (src/experiments/); absent in tools that build Services by hand. */
  readonly experiments?: ExperimentService;
  /** Cluster mode (src/cluster/) when redis.url is set: shared budgets, heartbeat, status for /healthz. */
  readonly cluster?: ClusterNode;
  /** Dashboard queries over the hourly rollups (src/rollups/); absent in tools that build Services by hand. */
  readonly dashboard?: {
    overview(query: { from: number; until: number; tz: string }): Promise<Overview>;
    /** The store the other dashboard pages read (rollups, request log, jobs, feedback; api/dashboard-*.ts). */
    readonly database?: Database;
  };
  /** Prometheus metrics fed by the ledger (src/metrics/); absent in tools that build Services by hand. */
  readonly metrics?: GatewayMetrics;
  /** Readiness for /readyz: false from the moment shutdown starts (src/gateway.ts); absent means ready. */
  readonly readiness?: { readonly ready: boolean };
}
