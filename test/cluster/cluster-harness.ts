import { sql } from 'kysely';
import { parseConfigText, type GatewayConfig } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { silentLogger, type Logger } from '../../src/logging/logger.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { openDatabase } from '../../src/storage/index.js';
import { simulatedProvider } from '../e2e/harness.js';
import { POSTGRES_URL, uniqueSchema } from '../storage/storage-targets.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from './redis-fixtures.js';

export const adminKey = 'tg-admin-cluster-test-0000000000000';

export interface Fleet {
  simulator: Simulator;
  nodes: RunningGateway[];
  configs: GatewayConfig[];
  prefix: string;
  storageUrl: string;
  /** The config text of a node of this fleet, for a node in another process. */
  yaml(cluster?: string): string;
  /** Start one more node on the same PostgreSQL schema and Redis prefix. */
  addNode(extra?: { redisUrl?: string | null; cluster?: string; logger?: Logger }): Promise<RunningGateway>;
  close(): Promise<void>;
}

/**
 * N real gateways in this process sharing one PostgreSQL schema and one Redis (database 14, a key prefix
 * of their own), in front of one provider simulator: a cluster as an operator would run it.
 */
export async function startFleet(count: number, options: { redisUrl?: string | null; cluster?: string; simulatorLatencyMs?: number; logger?: Logger; extraYaml?: string } = {}): Promise<Fleet> {
  const simulator = await startSimulator({ latencyMs: options.simulatorLatencyMs ?? 0 });
  const schema = uniqueSchema('cluster');
  const prefix = uniquePrefix('fleet');
  const storageUrl = `${POSTGRES_URL}?schema=${schema}`;
  const nodes: RunningGateway[] = [];
  const configs: GatewayConfig[] = [];
  const yamlFor = (redisUrl: string | undefined, cluster: string): string =>
    `server: { port: 0 }
requestLog: { flushIntervalMs: 10 }
storage: { url: "${storageUrl}" }
admin: { key: ${adminKey} }
${redisUrl ? `redis: { url: "${redisUrl}" }` : ''}
cluster: { keyPrefix: ${prefix}, heartbeatMs: 200, redisTimeoutMs: 200${cluster ? `, ${cluster}` : ''} }
${options.extraYaml ?? ''}
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`;
  const configFor = (redisUrl: string | undefined, cluster: string): GatewayConfig => parseConfigText(yamlFor(redisUrl, cluster), 'cluster.yaml', {});
  const fleet: Fleet = {
    simulator,
    nodes,
    configs,
    prefix,
    storageUrl,
    yaml: (cluster = options.cluster ?? '') => yamlFor(options.redisUrl === null ? undefined : (options.redisUrl ?? REDIS_URL), cluster),
    async addNode(extra = {}) {
      const redisUrl = extra.redisUrl !== undefined ? extra.redisUrl : options.redisUrl !== undefined ? options.redisUrl : REDIS_URL;
      const config = configFor(redisUrl ?? undefined, extra.cluster ?? options.cluster ?? '');
      const node = await startGateway(config, { logger: extra.logger ?? options.logger ?? silentLogger, router: null });
      nodes.push(node);
      configs.push(config);
      return node;
    },
    async close() {
      await Promise.all(nodes.map((node) => node.close(1_000)));
      await simulator.close();
      await deletePrefix(prefix);
      const admin = await openDatabase(POSTGRES_URL);
      try {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      } finally {
        await admin.close();
      }
    },
  };
  // The first node migrates the schema alone, then the others start together.
  await fleet.addNode();
  await Promise.all(Array.from({ length: count - 1 }, () => fleet.addNode()));
  return fleet;
}

export async function createKey(node: RunningGateway, body: object): Promise<{ id: string; key: string }> {
  const response = await fetch(`${node.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`key not created: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string; key: string };
}

export interface ChatOutcome {
  status: number;
  code: string | undefined;
  costNano: number;
}

export async function chat(node: RunningGateway, key: string, content: string, maxTokens = 64): Promise<ChatOutcome> {
  const response = await fetch(`${node.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'deepseek-flash', max_tokens: maxTokens, messages: [{ role: 'user', content }] }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  const cost = response.headers.get('x-tidegate-cost-cny');
  return { status: response.status, code: body.error?.code, costNano: cost === null ? 0 : parseCnyToNano(cost) };
}

export async function health(node: RunningGateway): Promise<{ status: number; body: any }> {
  const response = await fetch(`${node.url}/healthz`);
  return { status: response.status, body: await response.json() };
}

export async function setTeam(node: RunningGateway, name: string, body: object): Promise<void> {
  const response = await fetch(`${node.url}/admin/teams/${name}`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`team not set: ${response.status} ${await response.text()}`);
}

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
