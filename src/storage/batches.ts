import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from './database.js';
import type { BatchesTable, FilesTable } from './jobs-schema.js';

/** Uploaded files (purpose batch) and the output/error files Tidegate writes, plus batch records. */
export type FileRow = Selectable<FilesTable>;
export type BatchRow = Selectable<BatchesTable>;

export async function insertFile(database: Database, file: Insertable<FilesTable>): Promise<void> {
  await database.db.insertInto('files').values(file).execute();
}

export async function getFile(database: Database, id: string): Promise<FileRow | undefined> {
  return database.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Files without their content, newest first. */
export async function listFiles(database: Database, apiKeyId: string | null, limit: number): Promise<Omit<FileRow, 'content'>[]> {
  let query = database.db.selectFrom('files').select(['id', 'api_key_id', 'purpose', 'filename', 'bytes', 'created_at']);
  if (apiKeyId !== null) query = query.where('api_key_id', '=', apiKeyId);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function insertBatch(database: Database, batch: Insertable<BatchesTable>): Promise<void> {
  await database.db.insertInto('batches').values(batch).execute();
}

export async function getBatch(database: Database, id: string): Promise<BatchRow | undefined> {
  return database.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Batches newest first; `after` is the id of the last batch of the previous page (OpenAI's cursor). */
export async function listBatches(database: Database, apiKeyId: string | null, limit: number, after?: string): Promise<BatchRow[]> {
  let query = database.db.selectFrom('batches').selectAll();
  if (apiKeyId !== null) query = query.where('api_key_id', '=', apiKeyId);
  if (after !== undefined) {
    const cursor = await getBatch(database, after);
    if (cursor) query = query.where((eb) => eb.or([eb('created_at', '<', cursor.created_at), eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)])]));
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** Batches not yet in a final state (the runner finalises them). */
export async function openBatches(database: Database): Promise<BatchRow[]> {
  return database.db.selectFrom('batches').selectAll().where('status', 'in', ['validating', 'in_progress', 'finalizing', 'cancelling']).execute();
}

/** Updates a batch only while it is in one of `from` states; returns whether it changed. */
export async function updateBatch(database: Database, id: string, from: readonly string[], changes: Updateable<BatchesTable>): Promise<boolean> {
  const result = await database.db.updateTable('batches').set(changes).where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
