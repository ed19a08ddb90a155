/**
 * A gateway on a freshly seeded SQLite store, for working on the dashboard by hand or from browser tests:
 *   npx vite-node test/dashboard/serve-seeded.ts [--port N] [--days N] [--requests-per-day N]
 * Prints one JSON line {"url", "adminKey", "dir", "summary"} once it listens; Ctrl-C (SIGINT/SIGTERM) stops it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../../src/config/index.js';
import { startGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import { migrate, openDatabase } from '../../src/storage/index.js';
import { placeSeedHolds, seedConfigYaml, seedDashboardStore } from './seed.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, days: { type: 'string' }, 'requests-per-day': { type: 'string' } } });
const adminKey = process.env['TIDEGATE_ADMIN_KEY'] ?? 'tg-admin-dashboard-test';
const dir = mkdtempSync(join(tmpdir(), 'tidegate-dashboard-'));
const url = `sqlite:${join(dir, 'tidegate.db')}`;

const database = await openDatabase(url);
await migrate(database);
const summary = await seedDashboardStore(database, { days: Number(values.days ?? 14), requestsPerDay: Number(values['requests-per-day'] ?? 200) });
await database.close();

const config = parseConfigText(seedConfigYaml(url, { deepseek: 'sk-seed-deepseek-SECRET-0001', qwen: 'sk-seed-qwen-SECRET-0002', admin: adminKey }, Number(values.port ?? 0)), 'seeded.yaml', {});
const gateway = await startGateway(config, { logger: silentLogger, cwd: dir });
await placeSeedHolds(gateway.services.budgets.guard, summary.holds);
process.stdout.write(`${JSON.stringify({ url: gateway.url, adminKey, dir, summary })}\n`);

const stop = async () => {
  await gateway.close(1_000);
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
