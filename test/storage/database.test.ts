import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrationNames, openDatabase } from '../../src/storage/index.js';
import { POSTGRES_URL, uniqueSchema } from './storage-targets.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-db-'));
  dirs.push(dir);
  return dir;
};

afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('openDatabase: sqlite', () => {
  it('resolves a relative path against cwd, creates the directory, and sets WAL, busy_timeout and foreign_keys', async () => {
    const cwd = tempDir();
    const database = await openDatabase('sqlite:./.tidegate/tidegate.db', { cwd });
    try {
      expect(database.dialect).toBe('sqlite');
      expect(existsSync(join(cwd, '.tidegate', 'tidegate.db'))).toBe(true);
      const pragma = async (name: string) => (await sql.raw(`pragma ${name}`).execute(database.db)).rows[0];
      expect(await pragma('journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(await pragma('busy_timeout')).toEqual({ timeout: 5000 });
      expect(await pragma('foreign_keys')).toEqual({ foreign_keys: 1 });
    } finally {
      await database.close();
    }
  });

  it('opens an in-memory database that migrates', async () => {
    const database = await openDatabase('sqlite::memory:');
    try {
      expect(await migrate(database)).toEqual({ applied: [...migrationNames] });
    } finally {
      await database.close();
    }
  });

  it('migrates once when two processes start on the same file together', async () => {
    const dir = tempDir();
    const script = join(dir, 'migrate.ts');
    const index = join(ROOT, 'src/storage/index.js');
    writeFileSync(
      script,
      `import { migrate, openDatabase } from ${JSON.stringify(index)};\n` +
        `const database = await openDatabase(${JSON.stringify(`sqlite:${join(dir, 'shared.db')}`)});\n` +
        `console.log(JSON.stringify(await migrate(database)));\nawait database.close();\n`,
    );
    const run = () =>
      promisify(execFile)(join(ROOT, 'node_modules/.bin/vite-node'), ['--root', ROOT, script], { cwd: ROOT, timeout: 30_000 });
    const outputs = await Promise.all([run(), run(), run()]);
    const applied = outputs.flatMap((o) => (JSON.parse(o.stdout.trim().split('\n').at(-1)!) as { applied: string[] }).applied);
    expect(applied.sort()).toEqual([...migrationNames]);
  });

  it('rejects an unknown or empty URL with a hint', async () => {
    await expect(openDatabase('mysql://localhost/db')).rejects.toThrow(/sqlite:.*postgres:\/\//);
    await expect(openDatabase('sqlite:')).rejects.toThrow(/needs a path/);
  });
});

describe('openDatabase: postgres', () => {
  it('creates ?schema=, sets search_path on every pooled connection, and reads BIGINT as number', async () => {
    const schema = uniqueSchema('db');
    const database = await openDatabase(`${POSTGRES_URL.replace('postgres://', 'postgresql://')}?schema=${schema}`);
    try {
      expect(database.dialect).toBe('postgres');
      // Ten concurrent sleeps hold ten different pooled connections at once.
      const rows = await Promise.all(
        Array.from({ length: 10 }, () =>
          sql<{ schema: string; big: number }>`select current_schema() as schema, 5000000000::bigint as big, pg_sleep(0.05)`.execute(
            database.db,
          ),
        ),
      );
      for (const { rows: [row] } of rows) expect(row).toMatchObject({ schema, big: 5_000_000_000 });
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await expect(openDatabase(`${POSTGRES_URL}?schema=bad;drop`)).rejects.toThrow(/lowercase identifier/);
  });

  it('fails, naming the server without its password, when Postgres is unreachable', async () => {
    await expect(openDatabase('postgres://tidegate:secret@127.0.0.1:1/db')).rejects.toThrow(/tidegate:\*\*\*@127\.0\.0\.1:1/);
  });
});
