import { parseConfigText } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';
import type { Target } from '../storage/storage-targets.js';
import { placeSeedHolds, seedConfigYaml, seedDashboardStore, type SeedSummary } from './seed.js';

export const ADMIN_KEY = 'tg-admin-dashboard-test-key';
export const SECRETS = { deepseek: 'sk-seed-deepseek-TOPSECRET-7f3a9c', qwen: 'sk-seed-qwen-TOPSECRET-51be02', admin: ADMIN_KEY };

export interface SeededGateway {
  gateway: RunningGateway;
  /** A second handle on the same store, for expectations computed straight from its tables. */
  database: Database;
  summary: SeedSummary;
  get(path: string, key?: string): Promise<{ status: number; json: any }>;
  close(): Promise<void>;
}

/** A seeded store (SQLite or PostgreSQL) with a gateway serving it, and the seeded budget holds in place. */
export async function startSeededGateway(target: Target, options: { days?: number; requestsPerDay?: number } = {}): Promise<SeededGateway> {
  const store = target.fresh();
  const seeding = await openDatabase(store.url);
  await migrate(seeding);
  const summary = await seedDashboardStore(seeding, { days: options.days ?? 10, requestsPerDay: options.requestsPerDay ?? 120 });
  await seeding.close();
  const config = parseConfigText(seedConfigYaml(store.url, SECRETS), 'dashboard-test.yaml', {});
  const gateway = await startGateway(config, { logger: silentLogger });
  await placeSeedHolds(gateway.services.budgets.guard, summary.holds);
  const database = await openDatabase(store.url);
  return {
    gateway,
    database,
    summary,
    async get(path, key = ADMIN_KEY) {
      const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      const text = await response.text();
      return { status: response.status, json: JSON.parse(text) };
    },
    async close() {
      await gateway.close(1_000);
      await database.close();
      await store.cleanup();
    },
  };
}

/** The seeded range as query parameters (ISO instants, `to` exclusive). */
export const rangeOf = (summary: SeedSummary) => `from=${encodeURIComponent(new Date(summary.from).toISOString())}&to=${encodeURIComponent(new Date(summary.to).toISOString())}`;
