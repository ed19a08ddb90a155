import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { loadConfig } from '../config/index.js';
import { migrate, migrationNames, openDatabase, type Database } from '../storage/index.js';

export const usage = `Usage:
  tidegate migrate [--config FILE] [--json]   apply pending storage migrations, then exit
  tidegate migrate --check [--config FILE]    exit 1 when migrations are pending (applies nothing)
`;

async function appliedNames(database: Database): Promise<string[]> {
  try {
    const { rows } = await sql<{ name: string }>`select name from tidegate_migration`.execute(database.db);
    return rows.map((row) => row.name);
  } catch {
    return []; // no migration table yet: a new, empty store
  }
}

/**
 * A SQLite file that does not exist yet has every migration pending. Opening it would create it (and its folder),
 * which a check that "applies nothing" must not do. Paths resolve as openDatabase resolves them (against the cwd).
 */
function missingSqliteFile(url: string): boolean {
  if (!url.startsWith('sqlite:')) return false;
  const path = url.slice('sqlite:'.length);
  return path !== '' && path !== ':memory:' && !existsSync(resolve(process.cwd(), path));
}

function reportPending(pending: readonly string[], json: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify({ pending })}\n`);
  else process.stdout.write(pending.length === 0 ? 'Storage schema is up to date.\n' : `Pending migrations: ${pending.join(', ')}\n`);
  return pending.length === 0 ? 0 : 1;
}

/**
 * tidegate migrate: the schema step on its own, for a cluster (a Kubernetes Job or a deploy step before
 * the nodes roll). `serve` still migrates at start-up; concurrent runs are safe (PostgreSQL advisory lock,
 * SQLite immediate transaction), so nodes started after this find nothing left to do.
 */
export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  const config = loadConfig({ file: values.config });
  if (values.check && missingSqliteFile(config.storage.url)) return reportPending(migrationNames, values.json === true);
  const database = await openDatabase(config.storage.url);
  try {
    if (values.check) {
      const applied = new Set(await appliedNames(database));
      return reportPending(migrationNames.filter((name) => !applied.has(name)), values.json === true);
    }
    const { applied } = await migrate(database);
    if (values.json) process.stdout.write(`${JSON.stringify({ applied, latest: migrationNames.at(-1) })}\n`);
    else process.stdout.write(applied.length === 0 ? `Storage schema is up to date (${migrationNames.at(-1)}).\n` : `Applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
