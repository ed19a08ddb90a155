import type { Database } from '../storage/index.js';
import { flywheelDb, type FeedbackTable } from './tables.js';

export type FeedbackRow = FeedbackTable;

/**
 * Inserts unless the dedupe key is taken; returns the row stored under that key (this one, or the one
 * written before), so two identical submissions, concurrent or not, yield one row and one id.
 */
export async function insertFeedback(database: Database, row: FeedbackRow): Promise<{ row: FeedbackRow; created: boolean }> {
  const db = flywheelDb(database);
  const inserted = await db.insertInto('feedback').values(row).onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  const created = Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  const stored = await db.selectFrom('feedback').selectAll().where('dedupe_key', '=', row.dedupe_key).executeTakeFirstOrThrow();
  return { row: { ...stored, created_at: Number(stored.created_at), expires_at: Number(stored.expires_at), value_number: stored.value_number === null ? null : Number(stored.value_number) }, created };
}

/** Feedback on the given targets (inference or episode ids), oldest first. */
export async function feedbackFor(database: Database, targetIds: readonly string[], metrics?: readonly string[]): Promise<FeedbackRow[]> {
  const out: FeedbackRow[] = [];
  for (let i = 0; i < targetIds.length; i += 500) {
    let query = flywheelDb(database).selectFrom('feedback').selectAll().where('target_id', 'in', targetIds.slice(i, i + 500));
    if (metrics !== undefined) query = query.where('metric', 'in', [...metrics]);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    out.push(...rows.map((r) => ({ ...r, created_at: Number(r.created_at), expires_at: Number(r.expires_at), value_number: r.value_number === null ? null : Number(r.value_number) })));
  }
  return out.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
}
