import { z } from 'zod';

// Defined here rather than imported: src/config/schema.ts imports this file.
const numeric = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => numeric(z.number().int().min(min).max(max)).optional();
const bool = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean()).optional();

/** `cluster:` in the config file: several stateless nodes sharing PostgreSQL and Redis. */
export const clusterSchema = z.strictObject({
  /** This node's name in the heartbeat set and in leases (default: hostname-pid-random). */
  nodeId: z.string().regex(/^[A-Za-z0-9._:-]+$/).optional(),
  /** How many nodes share the budgets while Redis is down; default: the heartbeat set's last count. */
  nodes: int(1, 10_000),
  /** Prefix of every Redis key (one hash tag, so the budget scripts stay in one slot). */
  keyPrefix: z.string().regex(/^[A-Za-z0-9:_-]+$/, { error: 'use only letters, digits, ":", "_" and "-"' }).optional(),
  heartbeatMs: int(50),
  /** A Redis command slower than this counts as Redis being down for this request. */
  redisTimeoutMs: int(10, 60_000),
  /** A budget hold not settled by then (its node died) is charged in full and released. */
  holdTtlMs: int(100),
  /** While Redis is down: enforce 1/N of what remained on each node, or refuse every limited request. */
  onRedisDown: z.enum(['local-share', 'fail-closed']).optional(),
  /** Budgets refused (503 budget_store_unavailable) while Redis is down, whatever onRedisDown says. */
  failClosed: z.strictObject({ keys: z.array(z.string().min(1)).optional(), teams: z.array(z.string().min(1)).optional() }).optional(),
  /** Circuit breakers shared through Redis (one half-open probe fleet-wide); default on with redis.url. */
  sharedCircuits: bool,
  /** PostgreSQL leases of background jobs: a leader that stops renewing is replaced after this (default 30 s). */
  leaseTtlMs: int(300, 600_000),
  /**
   * How long a node trusts a verified key (with its limits) and a team's limits before reading PostgreSQL
   * again: the poll that bounds staleness when a change notice (Redis pub/sub) is missed. Default 10 s.
   */
  keyCacheTtlMs: int(0, 3_600_000),
});

export const clusterKeys: readonly string[] = Object.keys(clusterSchema.shape);

export interface ClusterConfig {
  readonly nodeId: string | undefined;
  readonly nodes: number | undefined;
  readonly keyPrefix: string;
  readonly heartbeatMs: number;
  readonly redisTimeoutMs: number;
  readonly holdTtlMs: number;
  readonly onRedisDown: 'local-share' | 'fail-closed';
  readonly failClosed: { readonly keys: readonly string[]; readonly teams: readonly string[] };
  readonly sharedCircuits: boolean;
  readonly leaseTtlMs: number;
  readonly keyCacheTtlMs: number;
}

export function clusterDefaults(file: z.output<typeof clusterSchema> | undefined): ClusterConfig {
  return {
    nodeId: file?.nodeId,
    nodes: file?.nodes,
    keyPrefix: file?.keyPrefix ?? 'tidegate',
    heartbeatMs: file?.heartbeatMs ?? 2_000,
    redisTimeoutMs: file?.redisTimeoutMs ?? 250,
    holdTtlMs: file?.holdTtlMs ?? 300_000,
    onRedisDown: file?.onRedisDown ?? 'local-share',
    failClosed: { keys: [...(file?.failClosed?.keys ?? [])], teams: [...(file?.failClosed?.teams ?? [])] },
    sharedCircuits: file?.sharedCircuits ?? true,
    leaseTtlMs: file?.leaseTtlMs ?? 30_000,
    keyCacheTtlMs: file?.keyCacheTtlMs ?? 10_000,
  };
}
