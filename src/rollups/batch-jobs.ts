import type { Selectable } from 'kysely';
import type { Database } from '../storage/database.js';
import type { BatchesTable, ProviderBatchesTable } from '../storage/jobs-schema.js';

export interface BatchSearch {
  status?: string;
  key?: string;
  limit: number;
  after?: { at: number; id: string };
}

export interface BatchLines {
  byStatus: Record<string, number>;
  costNano: number;
  onDemandNano: number;
}

const count = (value: unknown) => Number(value ?? 0);

/** Every client batch (all keys), newest first, with its lines by status, its cost, and its provider batches. */
export async function listAllBatches(database: Database, search: BatchSearch): Promise<{
  batches: Array<Selectable<BatchesTable> & { lines: BatchLines; providerBatches: Selectable<ProviderBatchesTable>[] }>;
  more: boolean;
}> {
  let query = database.db.selectFrom('batches').selectAll();
  if (search.status !== undefined) query = query.where('status', '=', search.status);
  if (search.key !== undefined) query = query.where('api_key_id', '=', search.key);
  if (search.after !== undefined) {
    const { at, id } = search.after;
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit + 1).execute();
  const page = rows.slice(0, search.limit);
  const ids = page.map((batch) => batch.id);
  const [lines, providers] = ids.length === 0
    ? [[], []]
    : await Promise.all([
      database.db
        .selectFrom('jobs')
        .select((eb) => ['batch_id', 'status', eb.fn.countAll<number | string>().as('lines'), eb.fn.sum<number | string>('cost_nano_cny').as('cost'), eb.fn.sum<number | string>('on_demand_nano_cny').as('on_demand')])
        .where('batch_id', 'in', ids)
        .groupBy(['batch_id', 'status'])
        .execute(),
      database.db.selectFrom('provider_batches').selectAll().where('batch_id', 'in', ids).orderBy('created_at', 'asc').execute(),
    ]);
  const byBatch = new Map<string, BatchLines>(ids.map((id) => [id, { byStatus: {}, costNano: 0, onDemandNano: 0 }]));
  for (const row of lines) {
    const into = byBatch.get(row.batch_id ?? '');
    if (!into) continue;
    into.byStatus[row.status] = count(row.lines);
    into.costNano += count(row.cost);
    into.onDemandNano += count(row.on_demand);
  }
  return {
    batches: page.map((batch) => ({ ...batch, lines: byBatch.get(batch.id)!, providerBatches: providers.filter((group) => group.batch_id === batch.id) })),
    more: rows.length > search.limit,
  };
}

/** Batches and jobs by status across every key; deferred jobs outside batches with their next deadline and overdue count. */
export async function jobCounts(database: Database, now: number) {
  const [batches, jobs, deferred, pending] = await Promise.all([
    database.db.selectFrom('batches').select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute(),
    database.db.selectFrom('jobs').select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).groupBy('status').execute(),
    database.db.selectFrom('jobs').select((eb) => ['status', eb.fn.countAll<number | string>().as('n')]).where('batch_id', 'is', null).groupBy('status').execute(),
    database.db
      .selectFrom('jobs')
      .select((eb) => [eb.fn.min('deadline_at').as('next_deadline'), eb.fn.sum<number | string>(eb.case().when('deadline_at', '<', now).then(1).else(0).end()).as('overdue')])
      .where('batch_id', 'is', null)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst(),
  ]);
  const tally = (rows: ReadonlyArray<{ status: string; n: number | string }>) => Object.fromEntries(rows.map((row) => [row.status, count(row.n)]));
  const next = pending?.next_deadline;
  return {
    batches: tally(batches),
    jobs: tally(jobs),
    deferred: { counts: tally(deferred), nextDeadline: next === null || next === undefined ? null : Number(next), overdue: count(pending?.overdue) },
  };
}
