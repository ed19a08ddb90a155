import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { SpendSource } from '../budgets/budget-guard.js';
import { RedisBudgetGuard, type SharedBudgetStatus } from '../budgets/redis-budget-guard.js';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { SharedCircuitBreakers } from '../stability/shared-circuit-breakers.js';
import { NodeRegistry } from './node-registry.js';
import { openClusterRedis, whenReady } from './redis-client.js';

export interface ClusterStatus {
  node: string;
  /** Nodes the budgets are divided by while Redis is down (config, else the heartbeat set). */
  nodes: number;
  redis: string;
  budgets: SharedBudgetStatus;
}

/** This node's part in a cluster: the Redis connection, the heartbeat, and the shared budget ledger. */
export interface ClusterNode {
  readonly nodeId: string;
  readonly redis: Redis;
  readonly budgets: RedisBudgetGuard;
  /** Circuit breakers shared by the fleet (cluster.sharedCircuits, default on). */
  readonly circuits: SharedCircuitBreakers | undefined;
  status(): ClusterStatus;
  close(): Promise<void>;
}

export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Starts cluster mode when `redis.url` is set; undefined otherwise (one node, in-process budgets). */
export async function startClusterNode(config: GatewayConfig, spend: SpendSource, logger: Logger): Promise<ClusterNode | undefined> {
  if (config.redis.url === undefined) return undefined;
  const cluster = config.cluster;
  const nodeId = cluster.nodeId ?? defaultNodeId();
  let lastError = '';
  const redis = openClusterRedis(config.redis.url, cluster.redisTimeoutMs, (error) => {
    // ioredis repeats the error on every reconnect attempt; say it once per distinct message.
    if (error.message !== lastError) logger.debug('redis connection error', { error: error.message });
    lastError = error.message;
  });
  redis.on('ready', () => {
    lastError = '';
  });
  const registry = new NodeRegistry(redis, cluster.keyPrefix, nodeId, cluster.heartbeatMs);
  const nodes = () => cluster.nodes ?? registry.count();
  const failClosedKeys = new Set(cluster.failClosed.keys.map((id) => `key:${id}`));
  const failClosedTeams = new Set(cluster.failClosed.teams.map((name) => `team:${name}`));
  const budgets = new RedisBudgetGuard(redis, spend, {
    prefix: cluster.keyPrefix,
    holdTtlMs: cluster.holdTtlMs,
    nodes,
    failClosed: (scope) => cluster.onRedisDown === 'fail-closed' || failClosedKeys.has(scope) || failClosedTeams.has(scope),
    logger,
  });
  if (!(await whenReady(redis, Math.max(1_000, cluster.redisTimeoutMs * 4)))) {
    logger.warn('Redis is not reachable at start-up; budgets start in degraded-local mode until it is', { nodes: nodes() });
  }
  await registry.start();
  const circuits = cluster.sharedCircuits ? new SharedCircuitBreakers(redis, { ...config.circuitBreaker, prefix: cluster.keyPrefix, nodeId }) : undefined;
  await circuits?.refresh();
  return {
    nodeId,
    redis,
    budgets,
    circuits,
    status: () => ({ node: nodeId, nodes: nodes(), redis: redis.status, budgets: budgets.status() }),
    async close() {
      await budgets.close();
      circuits?.close();
      await registry.stop();
      redis.disconnect();
    },
  };
}
