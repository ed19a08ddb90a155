import { sql, type Kysely } from 'kysely';
import { ERRORS_TABLE, KEYS_TABLE, ROLLUP_TABLE, ROLLUP_TABLES, ROUTES_TABLE, WATERMARK_TABLE } from './rollup-columns.js';
import { refillRollupTable } from './rollup-fill.js';
import { WATERMARK_NAME } from './rollup-job.js';

const NEW_TABLES = [ERRORS_TABLE, ROUTES_TABLE, KEYS_TABLE];

/**
 * Migration 0016 (never edit it once released): the narrower hourly rollups (by key, by route and scenario, by
 * error) that let usage by key and scenario, the keys page, routing and reliability read rollups instead of
 * request_log, and an index on the detailed table for a key filter. Hours the roll-up had already made final (before
 * its watermark) are back-filled here from the stored rows; later hours are filled by the roll-up job as usual.
 */
export async function createNarrowRollupTables(db: Kysely<unknown>): Promise<void> {
  const specs = ROLLUP_TABLES.filter((table) => NEW_TABLES.includes(table.name));
  for (const spec of specs) {
    let table = db.schema.createTable(spec.name).addColumn('hour_start', 'bigint', (c) => c.notNull());
    for (const column of spec.keys.slice(1)) table = table.addColumn(column, 'text', (c) => c.notNull());
    for (const column of spec.values) table = table.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0));
    await table.addPrimaryKeyConstraint(`${spec.name}_pk`, [...spec.keys] as never).execute();
  }
  await db.schema.createIndex(`${ROLLUP_TABLE}_key_idx`).on(ROLLUP_TABLE).columns(['api_key_id', 'hour_start']).execute();
  const { rows } = await sql<{ watermark: number | string }>`select watermark from ${sql.table(WATERMARK_TABLE)} where name = ${WATERMARK_NAME}`.execute(db);
  if (rows[0] === undefined) return;
  for (const spec of specs) await refillRollupTable(db as Kysely<any>, spec, 0, Number(rows[0].watermark));
}
