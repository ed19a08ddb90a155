import type { AddressInfo } from 'node:net';
import type { GatewayConfig } from './config/types.js';
import { Authenticator } from './http/auth.js';
import { Router } from './http/router.js';
import { routes } from './http/routes.js';
import { createHttpServer, type HttpServerState } from './http/server.js';
import { createLogger, type Logger } from './logging/logger.js';
import { toLogRow } from './pipeline/log-row.js';
import type { Services } from './pipeline/services.js';
import { buildTargets } from './pipeline/targets.js';
import { closeAgents } from './providers/http-transport.js';
import { ExactCache, exactCacheWanted } from './cache/exact-cache.js';
import { PromptCacheShaper } from './cache/provider/prompt-cache-shaping.js';
import { buildPrivacyEngine, withLogPolicy } from './pipeline/privacy-stage.js';
import { SemanticStage, semanticCacheWanted } from './cache/semantic-stage.js';
import { ResponseItemStore, SharedResponseItems, type ResponseItems } from './translate/responses-items.js';
import { cachedTeamLimits } from './budgets/team-limits-cache.js';
import { BudgetGuard, type SpendSource } from './budgets/budget-guard.js';
import { defaultNodeId, startClusterNode, type ClusterNode } from './cluster/cluster-node.js';
import { ChangeNotices } from './cluster/notices.js';
import { JobLeases } from './cluster/job-leases.js';
import { Pricer } from './pricing/pricer.js';
import { loadDefaultRouter } from './routing/default-router.js';
import { RouterService, type LearnedRouter } from './routing/router-service.js';
import { CircuitBreakers } from './stability/circuit-breaker.js';
import { AdmissionController } from './scheduling/admission-controller.js';
import { modelLimitsFor } from './scheduling/model-limits.js';
import { DeferredWork } from './batch/deferred-work.js';
import { FlywheelService } from './flywheel/flywheel-service.js';
import { ExperimentService } from './experiments/experiment-service.js';
import { createAuditLog } from './aigc/audit-log.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { RollupJob } from './rollups/rollup-job.js';
import { startTelemetry } from './telemetry/telemetry.js';
import { dashboardOverview } from './rollups/overview.js';
import {
  RequestLogWriter,
  type RequestLogRow,
  activeKeyId,
  ensureRequestLogPartitions,
  countActiveApiKeys,
  createApiKey,
  getTeamLimits,
  listTeams,
  setTeamLimits,
  updateApiKeyLimits,
  usageReport,
  spendSince,
  listApiKeys,
  migrate,
  openDatabase,
  queryRequestLog,
  revokeApiKey,
  touchApiKeys,
  verifyApiKey,
} from './storage/index.js';

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly open: boolean;
  readonly services: Services;
  /**
   * Graceful shutdown: readiness off (server.shutdownDelayMs while still serving), then refuse new requests and let
   * open ones finish up to `drainMs` (default server.drainMs), settle their holds, stop background jobs and release
   * their leases, flush the request log, close the store.
   */
  close(drainMs?: number): Promise<void>;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

/** Output items for /v1/responses item references: this node's memory, and the fleet's Redis in cluster mode. */
function responseItems(config: GatewayConfig, cluster: ClusterNode | undefined, logger: Logger): ResponseItems | undefined {
  const { keepMs, maxBytes } = config.responses;
  if (keepMs === 0) return undefined;
  const local = new ResponseItemStore({ maxBytes, ttlMs: keepMs });
  if (!cluster) return local;
  return new SharedResponseItems(local, cluster.redis, {
    prefix: config.cluster.keyPrefix,
    ttlMs: keepMs,
    onError: (error) => logger.warn('response items could not reach Redis; item references resolve on the node that answered only', { error: error.message }),
  });
}

/** The composition root: every service is built here, once, and passed in. */
export interface GatewayOptions {
  logger?: Logger;
  cwd?: string;
  /** The learned router for routes such as `auto`: default the shipped artifact; null for none. */
  router?: LearnedRouter | null;
  /** The clock of the scheduler and the deferred-work runner (tests shift it; default Date.now). */
  now?: () => number;
}

export async function startGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<RunningGateway> {
  const logger = withLogPolicy(options.logger ?? createLogger(), config);
  const database = await openDatabase(config.storage.url, { cwd: options.cwd });
  await migrate(database);
  // PostgreSQL: request_log partitions for this month and the next, checked again every hour (src/storage/request-log-partitions.ts).
  const partitionUpkeep = async () => ensureRequestLogPartitions(database).catch((error: unknown) => logger.warn('request_log partition upkeep failed; rows go to the default partition meanwhile', { error: String(error) }));
  await partitionUpkeep();
  const partitionTimer = database.dialect === 'postgres' ? setInterval(() => void partitionUpkeep(), 3_600_000).unref() : undefined;
  const writer = new RequestLogWriter(database, {
    batchSize: config.requestLog.batchSize,
    flushIntervalMs: config.requestLog.flushIntervalMs,
    queueLimit: config.requestLog.queueLimit,
    onError: (error: unknown) => logger.error('request log write failed; will retry', { error: String(error) }),
  });
  // A row the writer refuses (a field out of range) is logged, never thrown: the answer has already gone out,
  // and an exception here would escape the request (and, from a stream's end, the process).
  const logRow = (row: RequestLogRow): void | Promise<void> => {
    try {
      return writer.write(row);
    } catch (error) {
      logger.error('request log row refused', { requestId: row.id, error: String(error) });
      return undefined;
    }
  };
  // last_used_at is written in batches, never on the request path.
  const usedKeys = new Set<string>();
  const touchUsedKeys = async () => {
    if (usedKeys.size === 0) return;
    const ids = [...usedKeys];
    usedKeys.clear();
    await touchApiKeys(database, ids, Date.now()).catch((error: unknown) => logger.warn('could not record key use', { error: String(error) }));
  };
  const toucher = setInterval(() => void touchUsedKeys(), 15_000).unref();
  const auth = new Authenticator(
    { verify: (key) => verifyApiKey(database, key), countActive: () => countActiveApiKeys(database) },
    config.admin.key,
    await countActiveApiKeys(database),
    config.cluster.keyCacheTtlMs,
    Date.now,
    (keyId) => usedKeys.add(keyId),
  );
  // OpenTelemetry (telemetry.otlp): its SDK is imported only when configured. Spans per request and per upstream attempt.
  const telemetry = await startTelemetry(config, logger);
  const targets = buildTargets(config, telemetry?.tracer);
  const replicaSets = new Set([...targets.values()].flatMap((target) => (target.replicas ? [target.replicas] : [])));
  for (const set of replicaSets) set.startMetrics(async (url) => (await fetch(url, { signal: AbortSignal.timeout(1_000) })).text());
  const now = options.now ?? Date.now;
  const scheduler = new AdmissionController(config.scheduling, (model) => modelLimitsFor(config, model), now);
  const teamLimits = cachedTeamLimits((name) => getTeamLimits(database, name), config.cluster.keyCacheTtlMs);
  const privacy = buildPrivacyEngine(config);
  // Opt-in content capture (masked), feedback and the retention sweep (src/flywheel/).
  const flywheel = new FlywheelService(database, config, privacy, logger);
  // Live experiments (track-and-stop) between models or router versions; counts and decisions live in the store.
  const experiments = new ExperimentService(database, config.experiments, logger, { cwd: options.cwd });
  await experiments.start();
  const spendSource: SpendSource = {
    spendSince: (scope, since) => spendSince(database, scope.startsWith('team:') ? { team: scope.slice(5) } : { keyId: scope.slice(4) }, since),
  };
  // With redis.url: budgets, rate limits and the heartbeat shared by every node (src/cluster/).
  const cluster = await startClusterNode(config, spendSource, logger);
  // Key and team changes made here reach every other node's caches at once (src/cluster/notices.ts).
  const notices = cluster && config.redis.url !== undefined
    ? new ChangeNotices({ url: config.redis.url, prefix: config.cluster.keyPrefix, nodeId: cluster.nodeId, publisher: cluster.redis, logger, handlers: {
      apply: (notice) => {
        if (notice.kind === 'key') auth.forgetKey(notice.id);
        else if (notice.kind === 'team') teamLimits.forget(notice.name);
        else void auth.refresh().catch(() => undefined);
      },
      resync: () => {
        void auth.refresh().catch(() => undefined);
        teamLimits.clear();
      },
    } })
    : undefined;
  // Prometheus metrics (gauges read the services at scrape time) and the dashboard's hourly rollups.
  let built: Services | undefined;
  const metrics = new GatewayMetrics(config, () => built);
  const rollups = new RollupJob(database);
  // On PostgreSQL several nodes may share the store: each background job runs on one node at a time, the holder
  // of its lease (src/cluster/job-leases.ts); with SQLite this node leads them all.
  const leases = new JobLeases(database, { holder: cluster?.nodeId ?? config.cluster.nodeId ?? defaultNodeId(), ttlMs: config.cluster.leaseTtlMs, logger });
  const rollupLeader = leases.leadership('rollups');
  const readiness = { ready: true };
  rollups.start(60_000, (error) => logger.warn('hourly rollup failed; will retry', { error: String(error) }), () => rollupLeader.isLeader());
  const deferred = new DeferredWork(database, now, {
    concurrency: config.scheduling.runnerConcurrency,
    pollIntervalMs: config.scheduling.pollIntervalMs,
    runner: leases.leadership('batch-runner'),
    forwarder: leases.leadership('provider-batches'),
  });
  flywheel.leadWith(leases.leadership('retention'), config.flywheel.capture.shadow ? leases.leadership('shadow-judge') : undefined);
  const services: Services = {
    config,
    models: new Map(config.models.map((model) => [model.id, model])),
    routing: { models: new Map(config.models.map((model) => [model.id, model])), routes: new Map(config.routes.map((route) => [route.id, route])) },
    router: options.router === null ? undefined : new RouterService(options.router ?? loadDefaultRouter()),
    targets,
    breakers: cluster?.circuits ?? new CircuitBreakers(config.circuitBreaker),
    pricer: new Pricer(config),
    promptCache: new PromptCacheShaper(),
    responseItems: responseItems(config, cluster, logger),
    privacy,
    aigc: config.aigc ? { config: config.aigc, audit: createAuditLog(database, (error) => logger.error('AIGC audit write failed', { error: String(error) })) } : undefined,
    semantic: new SemanticStage(config.cache.semantic, semanticCacheWanted(config), (event) => {
      if (event.rejected) logger.debug('semantic cache refused a near match', { nearest: event.nearest, reason: event.rejected });
    }),
    cache: new ExactCache(
      config.cache.exact,
      exactCacheWanted(config) ? (await import('./cache/exact/open-store.js')).openResponseStore(config, options.cwd ?? process.cwd(), (error) => logger.warn('exact cache store error; treated as a miss', { error: error.message })) : undefined,
      (error) => logger.warn('exact cache error; treated as a miss', { error: String(error) }),
    ),
    budgets: {
      guard: cluster?.budgets ?? new BudgetGuard(spendSource),
      teams: teamLimits,
    },
    logger,
    ledger: {
      record: (context) => {
        const captured = flywheel.record(context);
        const assigned = experiments.record(context);
        const row = toLogRow(context, config.hash);
        metrics.observe(row);
        telemetry?.finish(context, row);
        const logged = config.requestLog.enabled ? logRow(row) : undefined;
        return captured || logged || assigned ? Promise.all([captured, logged, assigned]).then(() => undefined) : undefined;
      },
      observe: (context, row) => {
        metrics.observe(row);
        telemetry?.finish(context, row);
      },
    },
    keys: {
      create: async (name, limits) => {
        const created = await createApiKey(database, name, Date.now(), limits);
        await auth.refresh();
        await notices?.publish({ kind: 'keys' });
        return created;
      },
      update: async (id, limits) => {
        const keyId = await activeKeyId(database, id);
        const updated = await updateApiKeyLimits(database, id, limits);
        await auth.refresh();
        if (updated && keyId !== undefined) await notices?.publish({ kind: 'key', id: keyId });
        return updated;
      },
      list: () => listApiKeys(database),
      revoke: async (id) => {
        const keyId = await activeKeyId(database, id);
        const revoked = await revokeApiKey(database, id);
        await auth.refresh();
        if (revoked && keyId !== undefined) await notices?.publish({ kind: 'key', id: keyId });
        return revoked;
      },
      setTeam: async (name, limits) => {
        const team = await setTeamLimits(database, { name, ...limits });
        teamLimits.clear();
        await notices?.publish({ kind: 'team', name });
        return team;
      },
      listTeams: () => listTeams(database),
    },
    requestLog: { recent: (query) => queryRequestLog(database, query), usage: (query) => usageReport(database, query), writes: () => writer.stats() },
    scheduler,
    deferred,
    flywheel,
    experiments,
    cluster,
    metrics,
    readiness,
    dashboard: { overview: (query) => dashboardOverview(database, query), database },
  };
  built = services;
  flywheel.attach(services); // shadowing (capture.shadow) queues and judges through the services

  await deferred.start(services);
  let host = config.server.host;
  if (auth.isOpen && !loopback.has(host)) {
    logger.warn(`no API keys exist, so the gateway is open; binding to 127.0.0.1 instead of ${host}. Create a key with "tidegate keys create NAME" or set admin.key.`);
    host = '127.0.0.1';
  }
  const state: HttpServerState = { draining: false, inFlight: new Set() };
  const server = createHttpServer(services, new Router(routes), auth, state);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, host, () => resolve());
  });
  const refresher = auth.isOpen ? setInterval(() => void auth.refresh().catch(() => undefined), 5_000).unref() : undefined;
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    open: auth.isOpen,
    services,
    close(drainMs = config.server.drainMs) {
      closing ??= (async () => {
        // Readiness first: /readyz fails while this node still serves for shutdownDelayMs, so balancers move away
        // before anything is refused. Background jobs claim nothing more from now on.
        readiness.ready = false;
        const delayMs = config.server.shutdownDelayMs;
        logger.info('shutting down: readiness off', { shutdownDelayMs: delayMs, drainMs, inFlight: state.inFlight.size });
        const background = deferred.stop(delayMs + drainMs);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
        // Then new requests get 503 shutting_down and open ones (streams) may finish until the drain deadline.
        state.draining = true;
        if (refresher) clearInterval(refresher);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, drainMs).unref());
        await Promise.race([Promise.all([...state.inFlight]), deadline]);
        if (state.inFlight.size > 0) logger.warn('drain deadline reached; cutting the requests still open', { inFlight: state.inFlight.size });
        server.closeAllConnections();
        // Cut requests unwind: their budget holds settle and their ledger rows are queued.
        await Promise.race([Promise.all([...state.inFlight]), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        await stopped;
        clearInterval(toucher);
        await touchUsedKeys();
        scheduler.close();
        await background;
        await rollups.stop();
        await leases.stop(); // released once the jobs stopped writing: other nodes take over at once, not after expiry
        await writer.close(); // the request log is flushed
        await telemetry?.shutdown(); // exports the spans and metrics still buffered
        if (partitionTimer) clearInterval(partitionTimer);
        notices?.close();
        await cluster?.close(); // budget commits pushed to Redis, heartbeat removed
        await flywheel.close();
        await experiments.close();
        await services.cache.close();
        await services.aigc?.audit?.flush();
        await database.close();
        for (const set of replicaSets) set.stop();
        await closeAgents([...config.providers, ...[...replicaSets].flatMap((set) => set.providerConfigs)]);
      })();
      return closing;
    },
  };
}
