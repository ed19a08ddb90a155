import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';
import type pg from 'pg';
import type { Schema } from './schema.js';

export type StorageDialect = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: StorageDialect;
  /** The SQLite handle under Kysely, for hot writes that reuse one prepared statement (SQLite only). */
  readonly sqlite?: BetterSqlite3.Database;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Base directory for relative `sqlite:` paths; defaults to process.cwd(). */
  cwd?: string;
}

const POSTGRES_INT8_OID = 20;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens `sqlite:<path>`, `sqlite::memory:`, or `postgres://…` / `postgresql://…` (optionally `?schema=name`).
 * Does not migrate; call migrate() once after opening.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options.cwd ?? process.cwd());
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new Error(
    `Unsupported storage.url "${redact(url)}": use "sqlite:./path/to/file.db", "sqlite::memory:" or "postgres://user@host:5432/db".`,
  );
}

function openSqlite(path: string, cwd: string): Database {
  if (path === '') throw new Error('storage.url "sqlite:" needs a path, e.g. "sqlite:./.tidegate/tidegate.db".');
  let filename = ':memory:';
  if (path !== ':memory:') {
    filename = resolve(cwd, path);
    mkdirSync(dirname(filename), { recursive: true });
  }
  const sqlite = new BetterSqlite3(filename);
  // busy_timeout first: switching to WAL takes a lock, and a second process opening the same file at
  // the same moment must wait for it rather than fail with SQLITE_BUSY.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  // In WAL mode NORMAL is durable against process crashes (only an OS crash can lose the last commits).
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', sqlite, close: () => db.destroy() };
}

async function openPostgres(rawUrl: string): Promise<Database> {
  // Loaded only for PostgreSQL: a SQLite gateway never pays for the driver's module heap.
  const { default: pg } = await import('pg');
  const url = new URL(rawUrl);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new Error(`storage.url schema "${schema}" must be a lowercase identifier ([a-z_][a-z0-9_]*).`);
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    connectionTimeoutMillis: 10_000,
    // search_path is a startup parameter, so it holds on every pooled connection, including new ones.
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === POSTGRES_INT8_OID && format !== 'binary'
          ? (value: string) => Number(value) // every BIGINT we store is a JS safe integer
          : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection is dropped by the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema !== null) await createSchemaIfMissing(pool, schema);
    else await pool.query('select 1');
  } catch (error) {
    await db.destroy();
    throw new Error(`Cannot open PostgreSQL at ${redact(rawUrl)}: ${(error as Error).message}`, { cause: error });
  }
  return { db, dialect: 'postgres', close: () => db.destroy() };
}

async function createSchemaIfMissing(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two processes creating the schema at once: the loser sees a unique violation although the schema now exists.
    const found = await pool.query('select 1 from pg_namespace where nspname = $1', [schema]);
    if (found.rowCount === 0) throw error;
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * SQLite with write transactions that take the write lock up front (BEGIN IMMEDIATE), so a second process
 * waits on busy_timeout instead of failing mid-transaction on a stale snapshot; and with migrations run
 * inside one such transaction, which serialises migrate() across processes.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
