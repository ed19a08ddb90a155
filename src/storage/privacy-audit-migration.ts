import type { Kysely } from 'kysely';

/**
 * Migration 0006 (never edit it once released): the compliance audit log. One row per answer delivered
 * without an explicit AIGC label (标识办法 Art. 9: keep the recipient's log for at least six months).
 * Rows hold who received what from which model and why it was unlabelled, never the text; `expires_at`
 * is the earliest time a purge may delete the row.
 */
export async function createPrivacyAuditTable(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('privacy_audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('api_key_id', 'text')
    .addColumn('key_name', 'text')
    .addColumn('client_ip', 'text')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('model', 'text')
    .addColumn('provider', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('privacy_audit_created').on('privacy_audit').column('created_at').execute();
}
