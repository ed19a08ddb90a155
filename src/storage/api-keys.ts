import { createHash, randomBytes } from 'node:crypto';
import type { Database } from './database.js';

/** Client API keys. Only the sha256 of a key is stored; the key is shown once, at creation. */

/** Spending and rate limits; null means no limit. Amounts in nano-yuan (1e-9 CNY). */
export interface KeyLimits {
  team: string | null;
  dailyBudgetNano: number | null;
  monthlyBudgetNano: number | null;
  rpm: number | null;
  /** The most urgent priority class the key may use; null: any (x-tidegate-priority is clamped to it). */
  maxPriority: 'interactive' | 'standard' | 'deferrable' | null;
}

export const noLimits: KeyLimits = Object.freeze({ team: null, dailyBudgetNano: null, monthlyBudgetNano: null, rpm: null, maxPriority: null });

export interface CreatedApiKey extends KeyLimits {
  id: string;
  name: string;
  /** The full key, `tg-` + 40 url-safe characters. Returned only here. */
  key: string;
  prefix: string;
  createdAt: number;
}

export interface ApiKeySummary extends KeyLimits {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

const KEY_PREFIX = 'tg-';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** Ids per UPDATE … WHERE id IN (…), well under every dialect's parameter limit. */
const IDS_PER_STATEMENT = 500;

export async function createApiKey(database: Database, name: string, now = Date.now(), limits: Partial<KeyLimits> = {}): Promise<CreatedApiKey> {
  const trimmed = name.trim();
  if (trimmed === '') throw new Error('An API key needs a name.');
  // 30 random bytes are exactly 40 base64url characters: 240 bits of entropy.
  const key = KEY_PREFIX + randomBytes(30).toString('base64url');
  const id = 'key_' + randomBase32(12);
  const prefix = key.slice(KEY_PREFIX.length, KEY_PREFIX.length + 8);
  await database.db
    .insertInto('api_keys')
    .values({ id, name: trimmed, prefix, hash: hashApiKey(key), created_at: now, revoked_at: null, last_used_at: null, ...limitColumns({ ...noLimits, ...limits }) })
    .execute();
  return { id, name: trimmed, key, prefix, createdAt: now, ...noLimits, ...limits };
}

/** Every key, oldest first, revoked ones included; never the key or its hash. */
export async function listApiKeys(database: Database): Promise<ApiKeySummary[]> {
  const rows = await database.db
    .selectFrom('api_keys')
    .select(['id', 'name', 'prefix', 'created_at', 'revoked_at', 'last_used_at', 'team', 'daily_budget_nano', 'monthly_budget_nano', 'rpm', 'max_priority'])
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
    ...limitsOf(r),
  }));
}

/** Changes some limits of the active key with this id or prefix; returns false when none matches. */
export async function updateApiKeyLimits(database: Database, idOrPrefix: string, limits: Partial<KeyLimits>): Promise<boolean> {
  const id = await activeKeyId(database, idOrPrefix);
  if (id === undefined) return false;
  const columns = limitColumns(limits);
  if (Object.keys(columns).length === 0) return true;
  await database.db.updateTable('api_keys').set(columns).where('id', '=', id).execute();
  return true;
}

/**
 * The id of the active key with this id or prefix; undefined when none matches; throws when a prefix
 * matches several active keys, so a short prefix can never revoke the wrong one.
 */
export async function activeKeyId(database: Database, idOrPrefix: string): Promise<string | undefined> {
  const matches = await database.db
    .selectFrom('api_keys')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', idOrPrefix), eb('prefix', '=', idOrPrefix)]))
    .where('revoked_at', 'is', null)
    .execute();
  if (matches.length > 1) {
    throw new Error(`"${idOrPrefix}" matches ${matches.length} active API keys; use the id instead.`);
  }
  return matches[0]?.id;
}

export async function revokeApiKey(database: Database, idOrPrefix: string, now = Date.now()): Promise<boolean> {
  const id = await activeKeyId(database, idOrPrefix);
  if (id === undefined) return false;
  const result = await database.db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The active key's owner, or null for an unknown or revoked key. Looks up by hash; the key is never compared. */
export async function verifyApiKey(database: Database, key: string): Promise<({ id: string; name: string } & KeyLimits) | null> {
  if (!key.startsWith(KEY_PREFIX)) return null;
  const row = await database.db
    .selectFrom('api_keys')
    .select(['id', 'name', 'team', 'daily_budget_nano', 'monthly_budget_nano', 'rpm', 'max_priority'])
    .where('hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, ...limitsOf(row) } : null;
}

type LimitRow = { team: string | null; daily_budget_nano: number | null; monthly_budget_nano: number | null; rpm: number | null; max_priority: string | null };

function limitsOf(row: LimitRow): KeyLimits {
  return { team: row.team, dailyBudgetNano: row.daily_budget_nano, monthlyBudgetNano: row.monthly_budget_nano, rpm: row.rpm, maxPriority: row.max_priority as KeyLimits['maxPriority'] };
}

function limitColumns(limits: Partial<KeyLimits>): Partial<LimitRow> {
  const columns: Partial<LimitRow> = {};
  if (limits.team !== undefined) columns.team = limits.team;
  if (limits.dailyBudgetNano !== undefined) columns.daily_budget_nano = limits.dailyBudgetNano;
  if (limits.monthlyBudgetNano !== undefined) columns.monthly_budget_nano = limits.monthlyBudgetNano;
  if (limits.rpm !== undefined) columns.rpm = limits.rpm;
  if (limits.maxPriority !== undefined) columns.max_priority = limits.maxPriority;
  return columns;
}

export async function countActiveApiKeys(database: Database): Promise<number> {
  const row = await database.db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Sets last_used_at for many keys at once; the gateway collects ids and calls this periodically, not per request. */
export async function touchApiKeys(database: Database, ids: readonly string[], at: number): Promise<void> {
  // Sorted: nodes updating overlapping keys lock their rows in the same order, so they never deadlock.
  const unique = [...new Set(ids)].sort();
  for (let i = 0; i < unique.length; i += IDS_PER_STATEMENT) {
    await database.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', 'in', unique.slice(i, i + IDS_PER_STATEMENT))
      .execute();
  }
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 256 is a multiple of 32, so masking to 5 bits is unbiased.
  for (const byte of bytes) out += BASE32[byte & 31];
  return out;
}
