import { sql, type Kysely } from 'kysely';
import { ALL_VALUE_COLUMNS, KEY_SOURCES, ROLLUP_TABLE, type RollupTableSpec } from './rollup-columns.js';

const sourceOf = new Map(ALL_VALUE_COLUMNS);

/**
 * Replaces one rollup table's rows for the hours in [from, until) (whole hours): deletes them, then sums them again
 * from request_log (or from the detailed table's rows of the same hours, filled first). Shared by the roll-up job
 * and the migration that back-fills a new table, so the two can never sum differently.
 */
export async function refillRollupTable(db: Kysely<any>, table: RollupTableSpec, from: number, until: number): Promise<void> {
  const [, ...dimensions] = table.keys;
  const columns = sql.raw([...table.keys, ...table.values].join(', '));
  await sql`delete from ${sql.table(table.name)} where hour_start >= ${from} and hour_start < ${until}`.execute(db);
  if (table.from === 'detailed') {
    const keys = sql.raw(table.keys.join(', '));
    const sums = sql.raw(table.values.map((name) => `sum(${name})`).join(', '));
    await sql`insert into ${sql.table(table.name)} (${columns})
      select ${keys}, ${sums} from ${sql.table(ROLLUP_TABLE)} where hour_start >= ${from} and hour_start < ${until} group by ${keys}`.execute(db);
    return;
  }
  const keySources = [KEY_SOURCES.hour_start, ...dimensions.map((dimension) => KEY_SOURCES[dimension])];
  const select = sql.raw([...keySources, ...table.values.map((name) => `sum(${sourceOf.get(name)!})`)].join(', '));
  await sql`insert into ${sql.table(table.name)} (${columns})
    select ${select} from request_log where created_at >= ${from} and created_at < ${until} group by ${sql.raw(keySources.join(', '))}`.execute(db);
}
