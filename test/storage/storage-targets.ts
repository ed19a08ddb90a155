import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, RequestLogWriter, type Database, type RequestLogRow } from '../../src/storage/index.js';

/**
 * The two stores every storage contract test runs against. Postgres is required: if it is unreachable the
 * Postgres half fails (its beforeAll throws), it never skips. Override with TIDEGATE_TEST_POSTGRES_URL.
 */
export const POSTGRES_URL = process.env['TIDEGATE_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const uniqueSchema = (tag: string): string =>
  `tg_${tag}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;

export interface Target {
  name: 'sqlite' | 'postgres';
  /** Returns a URL for a fresh, empty store and a cleanup to run after closing every handle on it. */
  fresh(): { url: string; cleanup(): Promise<void> };
}

export const targets: Target[] = [
  {
    name: 'sqlite',
    fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'tidegate-storage-'));
      return { url: `sqlite:${join(dir, 'tidegate.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'postgres',
    fresh() {
      const schema = uniqueSchema('test');
      return {
        url: `${POSTGRES_URL}?schema=${schema}`,
        async cleanup() {
          const admin = await openDatabase(POSTGRES_URL);
          try {
            await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
          } finally {
            await admin.close();
          }
        },
      };
    },
  },
];

/** Writes request-log rows through the real writer (batched, as the gateway does) and waits until all are in. */
export async function writeLogRows(database: Database, rows: Iterable<RequestLogRow>): Promise<void> {
  const writer = new RequestLogWriter(database, { batchSize: 500, flushIntervalMs: 5, queueLimit: 1_000_000 });
  for (const row of rows) writer.write(row);
  await writer.close();
}

let seq = 0;
export function makeRow(overrides: Partial<RequestLogRow> = {}): RequestLogRow {
  seq += 1;
  return {
    id: `req_${seq.toString().padStart(6, '0')}`,
    createdAt: 1_750_000_000_000 + seq,
    apiKeyId: null,
    endpoint: 'chat',
    modelRequested: 'deepseek-chat',
    modelServed: 'deepseek-chat',
    provider: 'deepseek',
    status: 200,
    errorCode: null,
    stream: false,
    attempts: 1,
    fallbackUsed: false,
    latencyMs: 812,
    firstByteMs: null,
    upstreamMs: null,
    usage: { inputUncached: 10, cacheRead: 0, cacheWrite: 0, output: 5, reasoning: 0, imageTokens: 0, estimated: false },
    costNanoCny: 12_345,
    routeReason: null,
    configHash: 'cfg_hash',
    clientIp: null,
    priceVersion: 'deepseek-chat@2025-09-29',
    tariff: 'standard',
    usdToCny: null,
    tier: 'light',
    scenario: null,
    flagshipModel: 'deepseek-v4-pro',
    flagshipCostNanoCny: 99_000,
    cacheStatus: 'miss',
    cacheSavedNanoCny: 0,
    providerCacheSavedNanoCny: 0,
    priority: null,
    priorityRequested: null,
    queueMs: null,
    ...overrides,
  };
}
