import { parseArgs } from 'node:util';
import { loadConfig, type GatewayConfig } from '../config/index.js';
import { publishChangeNotice, type ChangeNotice } from '../cluster/notices.js';
import { activeKeyId, createApiKey, listApiKeys, listTeams, migrate, openDatabase, revokeApiKey, setTeamLimits, updateApiKeyLimits, type Database } from '../storage/index.js';
import { describeLimit, keyOnlyOptions, limitOptions, limitsFromOptions } from './limits-options.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

export const usage = `usage:
  tidegate keys create NAME|--name NAME [--team T] [--daily-budget CNY] [--monthly-budget CNY] [--rpm N] [--max-priority P] [--json]
  tidegate keys update ID [--team T|none] [--daily-budget CNY|none] [--monthly-budget CNY|none] [--rpm N|none] [--max-priority interactive|standard|deferrable|none]
  tidegate keys list [--json]
  tidegate keys revoke ID
  tidegate teams set NAME [--daily-budget CNY|none] [--monthly-budget CNY|none] [--rpm N|none]
  tidegate teams list [--json]
`;

async function withDatabase<T>(configFile: string | undefined, run: (database: Database, config: GatewayConfig) => Promise<T>): Promise<T> {
  const config = loadConfig({ file: configFile });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    return await run(database, config);
  } finally {
    await database.close();
  }
}

/** Tells running gateways (cluster mode, redis.url) to drop what they cached; else they re-read it within the cache TTL. */
async function announce(config: GatewayConfig, notice: ChangeNotice): Promise<string> {
  if (await publishChangeNotice(config.redis.url, config.cluster.keyPrefix, notice)) return 'Running gateways apply it now.';
  return `Running gateways apply it within ${Math.ceil(config.cluster.keyCacheTtlMs / 1000)} s.`;
}

/** The name comes as the positional NAME or as --name NAME; both at once is refused rather than one silently dropped. */
function keyName(option: string | undefined, positional: string | undefined): string {
  if (option !== undefined && positional !== undefined) throw new UsageError(`give the name once: "${positional}" or --name ${option}, not both`);
  const name = (option ?? positional)?.trim();
  if (!name) throw new UsageError('keys create needs a NAME (or --name NAME)');
  return name;
}

const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '-');

export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  // An unknown subcommand is answered before the database is opened (and so created).
  if (sub === undefined || !['create', 'update', 'list', 'revoke'].includes(sub)) {
    process.stderr.write(usage);
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' }, name: { type: 'string' }, ...limitOptions, ...keyOnlyOptions } });
  // Mistakes in the arguments are refused before the database is opened.
  const limits = limitsFromOptions(values);
  const id = positionals[0];
  if ((sub === 'update' || sub === 'revoke') && !id) throw new UsageError(`keys ${sub} needs the key ID (or its prefix)`);
  if (sub === 'update' && Object.keys(limits).length === 0) throw new UsageError('nothing to update: give --team, --daily-budget, --monthly-budget, --rpm or --max-priority');
  const name = sub === 'create' ? keyName(values.name, positionals[0]) : '';
  return withDatabase(values.config, async (database, config) => {
    if (sub === 'create') {
      // privacy.keys policies name keys, so a second active key of the same name would be ambiguous there.
      if ((await listApiKeys(database)).some((key) => key.revokedAt === null && key.name === name)) {
        throw new UsageError(`an active key is already named "${name}"; revoke it first or choose another name`);
      }
      const key = await createApiKey(database, name, Date.now(), limits);
      await announce(config, { kind: 'keys' });
      if (values.json) out(key);
      else process.stdout.write(`Created key ${key.id} (${key.name}). Copy it now; it is stored only as a hash:\n\n  ${key.key}\n`);
      return 0;
    }
    if (sub === 'update' && id) {
      const keyId = await activeKeyId(database, id);
      const updated = await updateApiKeyLimits(database, id, limits);
      const applied = updated && keyId !== undefined ? await announce(config, { kind: 'key', id: keyId }) : '';
      if (values.json) out({ id, updated, ...(updated ? { limits } : {}) });
      else process.stdout.write(updated ? `Updated ${id}. ${applied}\n` : `No active key ${id}.\n`);
      return updated ? 0 : 1;
    }
    if (sub === 'list') {
      const keys = await listApiKeys(database);
      if (values.json) out(keys);
      else {
        process.stdout.write(`${formatTable(
          ['id', 'name', 'prefix', 'team', 'daily', 'monthly', 'rpm', 'max priority', 'created', 'last used', 'revoked'],
          keys.map((key) => [key.id, key.name, `tg-${key.prefix}…`, key.team ?? '-', describeLimit(key.dailyBudgetNano), describeLimit(key.monthlyBudgetNano), key.rpm ?? '-', key.maxPriority ?? '-', iso(key.createdAt), iso(key.lastUsedAt), iso(key.revokedAt)]),
        )}\n`);
      }
      return 0;
    }
    if (sub === 'revoke' && id) {
      const keyId = await activeKeyId(database, id);
      const revoked = await revokeApiKey(database, id);
      const applied = revoked && keyId !== undefined ? await announce(config, { kind: 'key', id: keyId }) : '';
      if (values.json) out({ id, revoked });
      else process.stdout.write(revoked ? `Revoked ${id}. ${applied}\n` : `No active key ${id}.\n`);
      return revoked ? 0 : 1;
    }
    process.stderr.write(usage);
    return 2;
  });
}

export async function teamsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' }, ...limitOptions } });
  if (!((sub === 'set' && positionals[0]) || sub === 'list')) {
    process.stderr.write(usage);
    return 2;
  }
  return withDatabase(values.config, async (database, config) => {
    if (sub === 'set' && positionals[0]) {
      const { team: _ignored, ...limits } = limitsFromOptions(values);
      const team = await setTeamLimits(database, { name: positionals[0], ...limits });
      await announce(config, { kind: 'team', name: team.name });
      if (values.json) out(team);
      else process.stdout.write(`Team ${team.name}: daily ${describeLimit(team.dailyBudgetNano)}, monthly ${describeLimit(team.monthlyBudgetNano)}, rpm ${team.rpm ?? '-'}. Add keys with "tidegate keys update ID --team ${team.name}".\n`);
      return 0;
    }
    if (sub === 'list') {
      const teams = await listTeams(database);
      if (values.json) out(teams);
      else process.stdout.write(`${formatTable(['team', 'daily', 'monthly', 'rpm'], teams.map((team) => [team.name, describeLimit(team.dailyBudgetNano), describeLimit(team.monthlyBudgetNano), team.rpm ?? '-']))}\n`);
      return 0;
    }
    process.stderr.write(usage);
    return 2;
  });
}
