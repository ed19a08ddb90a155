import type { Kysely } from 'kysely';

/**
 * Migration 0009 (never edit it once released): leases for background jobs that one node at a time may
 * run (src/cluster/leader-lease.ts). `epoch` grows by one at every change of holder and fences writes;
 * `expires_at` is in milliseconds on the database's clock.
 */
export async function createClusterTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('epoch', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
