import type { Kysely } from 'kysely';
import { COMPACT_KEY_COLUMNS, COMPACT_TABLE, KEY_COLUMNS, ROLLUP_TABLE, VALUE_COLUMNS, WATERMARK_TABLE } from './rollup-columns.js';

/**
 * Migration 0010 (never edit it once released): hourly rollups of request_log for the dashboard (detailed, and compact for the overview), and the
 * watermark up to which hours are final. Every value is an integer (nano-yuan for money, counts per bucket).
 */
export async function createRollupTables(db: Kysely<unknown>): Promise<void> {
  for (const [name, keys] of [[ROLLUP_TABLE, KEY_COLUMNS], [COMPACT_TABLE, COMPACT_KEY_COLUMNS]] as const) {
    let table = db.schema.createTable(name).addColumn('hour_start', 'bigint', (c) => c.notNull());
    for (const column of keys.slice(1)) table = table.addColumn(column, 'text', (c) => c.notNull());
    for (const [column] of VALUE_COLUMNS) table = table.addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0));
    await table.addPrimaryKeyConstraint(`${name}_pk`, [...keys] as never).execute();
  }
  await db.schema
    .createTable(WATERMARK_TABLE)
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('watermark', 'bigint', (c) => c.notNull())
    .execute();
}
