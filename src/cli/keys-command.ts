import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createApiKey, listApiKeys, migrate, openDatabase, revokeApiKey } from '../storage/index.js';
import { formatTable } from './table.js';

export async function keysCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const config = loadConfig({ file: values.config });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    if (sub === 'create') {
      const name = positionals[0];
      if (!name) throw new Error('usage: tidegate keys create NAME');
      const key = await createApiKey(database, name);
      if (values.json) out(key);
      else process.stdout.write(`Created key ${key.id} (${key.name}). Copy it now; it is stored only as a hash:\n\n  ${key.key}\n`);
      return 0;
    }
    if (sub === 'list') {
      const keys = await listApiKeys(database);
      if (values.json) out(keys);
      else {
        process.stdout.write(`${formatTable(
          ['id', 'name', 'prefix', 'created', 'last used', 'revoked'],
          keys.map((key) => [key.id, key.name, `tg-${key.prefix}…`, iso(key.createdAt), iso(key.lastUsedAt), iso(key.revokedAt)]),
        )}\n`);
      }
      return 0;
    }
    if (sub === 'revoke') {
      const id = positionals[0];
      if (!id) throw new Error('usage: tidegate keys revoke ID');
      const revoked = await revokeApiKey(database, id);
      if (values.json) out({ id, revoked });
      else process.stdout.write(revoked ? `Revoked ${id}.\n` : `No active key ${id}.\n`);
      return revoked ? 0 : 1;
    }
    process.stderr.write('usage: tidegate keys create NAME | list | revoke ID [--json]\n');
    return 2;
  } finally {
    await database.close();
  }
}

function iso(ms: number | null | undefined): string {
  return ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '-';
}
