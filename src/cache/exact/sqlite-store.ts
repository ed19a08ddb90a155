import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { decodeAnswer, encodeAnswer, type CachedAnswer, type ResponseStore } from './store.js';

/**
 * Exact-cache entries in their own SQLite file (disposable, kept apart from the ledger), bounded by bytes
 * with least-recently-used eviction. Survives restarts; one process owns the file.
 */
export class SqliteStore implements ResponseStore {
  readonly kind = 'sqlite' as const;
  private readonly db: BetterSqlite3.Database;
  private bytes: number;
  private readonly statements: {
    get: BetterSqlite3.Statement<[string, number], { value: string }>;
    touch: BetterSqlite3.Statement<[number, string]>;
    size: BetterSqlite3.Statement<[string], { bytes: number }>;
    put: BetterSqlite3.Statement<[string, string, number, number, number]>;
    remove: BetterSqlite3.Statement<[string]>;
    oldest: BetterSqlite3.Statement<[], { key: string; bytes: number }>;
    expired: BetterSqlite3.Statement<[number], { key: string; bytes: number }>;
    total: BetterSqlite3.Statement<[], { entries: number; bytes: number }>;
  };

  constructor(path: string, private readonly maxBytes: number, cwd = process.cwd()) {
    const file = path === ':memory:' ? path : resolve(cwd, path);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`create table if not exists exact_cache (
      key text primary key, value text not null, bytes integer not null, expires_at integer not null, used_at integer not null)`);
    this.db.exec('create index if not exists exact_cache_used on exact_cache (used_at)');
    this.statements = {
      get: this.db.prepare('select value from exact_cache where key = ? and expires_at > ?'),
      touch: this.db.prepare('update exact_cache set used_at = ? where key = ?'),
      size: this.db.prepare('select bytes from exact_cache where key = ?'),
      put: this.db.prepare('insert or replace into exact_cache (key, value, bytes, expires_at, used_at) values (?, ?, ?, ?, ?)'),
      remove: this.db.prepare('delete from exact_cache where key = ?'),
      oldest: this.db.prepare('select key, bytes from exact_cache order by used_at limit 64'),
      expired: this.db.prepare('select key, bytes from exact_cache where expires_at <= ? limit 64'),
      total: this.db.prepare('select count(*) as entries, coalesce(sum(bytes), 0) as bytes from exact_cache'),
    };
    this.bytes = this.statements.total.get()!.bytes;
  }

  async get(key: string, now = Date.now()): Promise<CachedAnswer | undefined> {
    const row = this.statements.get.get(key, now);
    if (!row) return undefined;
    this.statements.touch.run(now, key);
    return decodeAnswer(row.value);
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number, now = Date.now()): Promise<void> {
    const text = encodeAnswer(answer);
    const bytes = Buffer.byteLength(text) + key.length;
    if (bytes > this.maxBytes) return;
    this.db.transaction(() => {
      for (const row of this.statements.expired.all(now)) this.drop(row.key, row.bytes);
      const old = this.statements.size.get(key);
      if (old) this.bytes -= old.bytes;
      this.statements.put.run(key, text, bytes, now + ttlMs, now);
      this.bytes += bytes;
      while (this.bytes > this.maxBytes) {
        const victims = this.statements.oldest.all();
        if (victims.length === 0) break;
        for (const victim of victims) {
          if (this.bytes <= this.maxBytes) break;
          this.drop(victim.key, victim.bytes);
        }
      }
    })();
  }

  async delete(key: string): Promise<void> {
    const old = this.statements.size.get(key);
    if (old) this.drop(key, old.bytes);
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    return this.statements.total.get()!;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private drop(key: string, bytes: number): void {
    this.statements.remove.run(key);
    this.bytes -= bytes;
  }
}
