import type { Database } from '../storage/index.js';
import { flywheelDb, type DatasetRowsTable } from './tables.js';

export interface StoredDataset<Spec, Report> {
  name: string;
  createdAt: number;
  spec: Spec;
  report: Report;
}

export async function getDataset<Spec, Report>(database: Database, name: string): Promise<StoredDataset<Spec, Report> | undefined> {
  const row = await flywheelDb(database).selectFrom('datasets').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? { name: row.name, createdAt: Number(row.created_at), spec: JSON.parse(row.spec) as Spec, report: JSON.parse(row.report) as Report } : undefined;
}

export async function listDatasets<Spec, Report>(database: Database): Promise<Array<StoredDataset<Spec, Report> & { rows: { train: number; eval: number } }>> {
  const db = flywheelDb(database);
  const datasets = await db.selectFrom('datasets').selectAll().orderBy('created_at').orderBy('name').execute();
  const counts = await db.selectFrom('dataset_rows').select(['dataset', 'split', db.fn.countAll<number>().as('n')]).groupBy(['dataset', 'split']).execute();
  return datasets.map((row) => {
    const of = (split: string) => Number(counts.find((c) => c.dataset === row.name && c.split === split)?.n ?? 0);
    return { name: row.name, createdAt: Number(row.created_at), spec: JSON.parse(row.spec) as Spec, report: JSON.parse(row.report) as Report, rows: { train: of('train'), eval: of('eval') } };
  });
}

/** Replaces the dataset (its row and its entries) in one transaction. */
export async function saveDataset(database: Database, name: string, createdAt: number, spec: unknown, report: unknown, rows: readonly DatasetRowsTable[]): Promise<void> {
  await flywheelDb(database).transaction().execute(async (trx) => {
    await trx.deleteFrom('dataset_rows').where('dataset', '=', name).execute();
    await trx.deleteFrom('datasets').where('name', '=', name).execute();
    await trx.insertInto('datasets').values({ name, created_at: createdAt, spec: JSON.stringify(spec), report: JSON.stringify(report) }).execute();
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('dataset_rows').values(rows.slice(i, i + 500)).execute();
  });
}

export async function datasetRows(database: Database, name: string, split?: 'train' | 'eval'): Promise<DatasetRowsTable[]> {
  let query = flywheelDb(database).selectFrom('dataset_rows').selectAll().where('dataset', '=', name);
  if (split !== undefined) query = query.where('split', '=', split);
  return query.orderBy('inference_id').execute();
}
