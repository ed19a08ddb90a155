import { dropRequestLogPartitionsBefore, type Database } from '../storage/index.js';
import { flywheelDb } from './tables.js';

export interface SweepResult {
  inferences: number;
  feedback: number;
  datasetRows: number;
  requestLog: number;
}

const count = (result: { numDeletedRows: bigint } | undefined) => Number(result?.numDeletedRows ?? 0n);

/**
 * Deletes what has outlived its retention: captured content (inferences and text feedback) past its expiry,
 * dataset entries whose inference is gone, and request-log metadata older than `metadataRetentionMs`.
 */
export async function sweepExpired(database: Database, now: number, metadataRetentionMs: number): Promise<SweepResult> {
  const db = flywheelDb(database);
  const expired = db.selectFrom('inferences').select('id').where('expires_at', '<=', now);
  const datasetRows = count(await db.deleteFrom('dataset_rows').where('inference_id', 'in', expired).executeTakeFirst());
  const inferences = count(await db.deleteFrom('inferences').where('expires_at', '<=', now).executeTakeFirst());
  const feedback = count(await db.deleteFrom('feedback').where('expires_at', '<=', now).executeTakeFirst());
  // PostgreSQL drops whole months first (request_log is partitioned by month); the DELETE takes the rest.
  const dropped = await dropRequestLogPartitionsBefore(database, now - metadataRetentionMs);
  const requestLog = dropped + count(await database.db.deleteFrom('request_log').where('created_at', '<', now - metadataRetentionMs).executeTakeFirst());
  return { inferences, feedback, datasetRows, requestLog };
}

export interface PurgeResult {
  inferences: number;
  feedback: number;
  datasetRows: number;
}

/**
 * Deletes everything captured for one API key: its inferences, every feedback on them or on its episodes
 * (whoever sent it), the feedback the key sent, and the dataset entries that pointed at its inferences.
 */
export async function purgeKey(database: Database, apiKeyId: string): Promise<PurgeResult> {
  return flywheelDb(database).transaction().execute(async (trx) => {
    const ids = trx.selectFrom('inferences').select('id').where('api_key_id', '=', apiKeyId);
    const episodes = trx.selectFrom('inferences').select('episode_id').where('api_key_id', '=', apiKeyId);
    const feedback = count(
      await trx
        .deleteFrom('feedback')
        .where((eb) => eb.or([eb('api_key_id', '=', apiKeyId), eb('target_id', 'in', ids), eb('target_id', 'in', episodes)]))
        .executeTakeFirst(),
    );
    const datasetRows = count(await trx.deleteFrom('dataset_rows').where('inference_id', 'in', ids).executeTakeFirst());
    const inferences = count(await trx.deleteFrom('inferences').where('api_key_id', '=', apiKeyId).executeTakeFirst());
    return { inferences, feedback, datasetRows };
  });
}
