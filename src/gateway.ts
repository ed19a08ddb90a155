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
import { cachedTeamLimits } from './budgets/team-limits-cache.js';
import { BudgetGuard, type SpendSource } from './budgets/budget-guard.js';
import { defaultNodeId, startClusterNode } from './cluster/cluster-node.js';
import { LeaderLease } from './cluster/leader-lease.js';
import { Pricer } from './pricing/pricer.js';
import { loadDefaultRouter } from './routing/default-router.js';
import { RouterService, type LearnedRouter } from './routing/router-service.js';
import { CircuitBreakers } from './stability/circuit-breaker.js';
import { AdmissionController } from './scheduling/admission-controller.js';
import { modelLimitsFor } from './scheduling/model-limits.js';
import { DeferredWork } from './batch/deferred-work.js';
import { FlywheelService } from './flywheel/flywheel-service.js';
import { createAuditLog } from './aigc/audit-log.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { RollupJob } from './rollups/rollup-job.js';
import { dashboardOverview } from './rollups/overview.js';
import {
  RequestLogWriter,
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
  /** Stop taking requests, let open ones finish (up to `drainMs`), flush the request log, close the store. */
  close(drainMs?: number): Promise<void>;
}

const loopback = new Set(['127.0.0.1', '::1', 'localhost']);

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
  const writer = new RequestLogWriter(database, {
    batchSize: config.requestLog.batchSize,
    flushIntervalMs: config.requestLog.flushIntervalMs,
    queueLimit: config.requestLog.queueLimit,
    onError: (error: unknown) => logger.error('request log write failed; will retry', { error: String(error) }),
  });
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
    10_000,
    Date.now,
    (keyId) => usedKeys.add(keyId),
  );
  const targets = buildTargets(config);
  const replicaSets = new Set([...targets.values()].flatMap((target) => (target.replicas ? [target.replicas] : [])));
  for (const set of replicaSets) set.startMetrics(async (url) => (await fetch(url, { signal: AbortSignal.timeout(1_000) })).text());
  const now = options.now ?? Date.now;
  const scheduler = new AdmissionController(config.scheduling, (model) => modelLimitsFor(config, model), now);
  const deferred = new DeferredWork(database, now, { concurrency: config.scheduling.runnerConcurrency, pollIntervalMs: config.scheduling.pollIntervalMs });
  const teamLimits = cachedTeamLimits((name) => getTeamLimits(database, name));
  const privacy = buildPrivacyEngine(config);
  // Opt-in content capture (masked), feedback and the retention sweep (src/flywheel/).
  const flywheel = new FlywheelService(database, config, privacy, logger);
  const spendSource: SpendSource = {
    spendSince: (scope, since) => spendSince(database, scope.startsWith('team:') ? { team: scope.slice(5) } : { keyId: scope.slice(4) }, since),
  };
  // With redis.url: budgets, rate limits and the heartbeat shared by every node (src/cluster/).
  const cluster = await startClusterNode(config, spendSource, logger);
  // Prometheus metrics (gauges read the services at scrape time) and the dashboard's hourly rollups.
  let built: Services | undefined;
  const metrics = new GatewayMetrics(config, () => built);
  const rollups = new RollupJob(database);
  // On PostgreSQL several nodes may share the store: one at a time rolls up, under a lease (src/cluster/).
  const rollupLease = database.dialect === 'postgres' ? new LeaderLease(database, { name: 'rollups', holder: cluster?.nodeId ?? defaultNodeId(), logger }) : undefined;
  rollupLease?.start();
  rollups.start(60_000, (error) => logger.warn('hourly rollup failed; will retry', { error: String(error) }), () => rollupLease?.isLeader() ?? true);
  const services: Services = {
    config,
    models: new Map(config.models.map((model) => [model.id, model])),
    routing: { models: new Map(config.models.map((model) => [model.id, model])), routes: new Map(config.routes.map((route) => [route.id, route])) },
    router: options.router === null ? undefined : new RouterService(options.router ?? loadDefaultRouter()),
    targets,
    breakers: cluster?.circuits ?? new CircuitBreakers(config.circuitBreaker),
    pricer: new Pricer(config),
    promptCache: new PromptCacheShaper(),
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
        const row = toLogRow(context, config.hash);
        metrics.observe(row);
        const logged = config.requestLog.enabled ? writer.write(row) : undefined;
        return captured || logged ? Promise.all([captured, logged]).then(() => undefined) : undefined;
      },
    },
    keys: {
      create: async (name, limits) => {
        const created = await createApiKey(database, name, Date.now(), limits);
        await auth.refresh();
        return created;
      },
      update: async (id, limits) => {
        const updated = await updateApiKeyLimits(database, id, limits);
        await auth.refresh();
        return updated;
      },
      list: () => listApiKeys(database),
      revoke: async (id) => {
        const revoked = await revokeApiKey(database, id);
        await auth.refresh();
        return revoked;
      },
      setTeam: async (name, limits) => {
        const team = await setTeamLimits(database, { name, ...limits });
        teamLimits.clear();
        return team;
      },
      listTeams: () => listTeams(database),
    },
    requestLog: { recent: (query) => queryRequestLog(database, query), usage: (query) => usageReport(database, query) },
    scheduler,
    deferred,
    flywheel,
    cluster,
    metrics,
    dashboard: { overview: (query) => dashboardOverview(database, query) },
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
    close(drainMs = 10_000) {
      closing ??= (async () => {
        state.draining = true;
        if (refresher) clearInterval(refresher);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = new Promise<void>((resolve) => setTimeout(resolve, drainMs).unref());
        await Promise.race([Promise.all([...state.inFlight]), deadline]);
        server.closeAllConnections();
        await stopped;
        clearInterval(toucher);
        await touchUsedKeys();
        scheduler.close();
        await deferred.stop();
        await writer.close();
        await rollups.stop();
        await rollupLease?.stop(); // released: another node takes over at once
        await cluster?.close();
        await flywheel.close();
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
