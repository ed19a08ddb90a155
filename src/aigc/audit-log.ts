/**
 * The compliance audit log (table privacy_audit, migration 0006): who received an answer without an
 * explicit AIGC label, when, from which model, and why. Kept at least six months (标识办法 Art. 9);
 * `expires_at` tells a purge the earliest moment a row may go. Writes leave the request path.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/database.js';

/** Six months and a few days, so a calendar half-year is always covered. */
export const auditRetentionMs = 186 * 24 * 3_600_000;

// A type alias (not an interface) so it meets withTables' index-signature constraint.
type AuditSchema = {
  privacy_audit: {
    id: string;
    created_at: number;
    expires_at: number;
    event: string;
    request_id: string;
    api_key_id: string | null;
    key_name: string | null;
    client_ip: string | null;
    endpoint: string;
    model: string | null;
    provider: string | null;
    reason: string;
  };
};

export interface AuditEvent {
  readonly event: 'aigc_unlabelled';
  readonly requestId: string;
  readonly at: number;
  readonly apiKeyId: string | null;
  readonly keyName: string | null;
  readonly clientIp: string | null;
  readonly endpoint: string;
  readonly model: string | null;
  readonly provider: string | null;
  readonly reason: string;
}

export interface AuditRow extends AuditEvent {
  readonly expiresAt: number;
}

export interface AuditLog {
  record(event: AuditEvent): void;
  /** Waits for writes in flight (tests, shutdown). */
  flush(): Promise<void>;
  recent(limit: number): Promise<AuditRow[]>;
}

export function createAuditLog(database: Database, onError: (error: unknown) => void): AuditLog {
  const db = database.db.withTables<AuditSchema>() as unknown as Kysely<AuditSchema>;
  const pending = new Set<Promise<void>>();
  return {
    record(event) {
      const write = db
        .insertInto('privacy_audit')
        .values({
          id: `${event.event}:${event.requestId}`, created_at: event.at, expires_at: event.at + auditRetentionMs, event: event.event,
          request_id: event.requestId, api_key_id: event.apiKeyId, key_name: event.keyName, client_ip: event.clientIp,
          endpoint: event.endpoint, model: event.model, provider: event.provider, reason: event.reason,
        })
        .execute()
        .then(() => undefined, onError);
      pending.add(write);
      void write.finally(() => pending.delete(write));
    },
    async flush() {
      await Promise.all([...pending]);
    },
    async recent(limit) {
      const rows = await db.selectFrom('privacy_audit').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map((row) => ({
        event: row.event as AuditEvent['event'], requestId: row.request_id, at: Number(row.created_at), expiresAt: Number(row.expires_at),
        apiKeyId: row.api_key_id, keyName: row.key_name, clientIp: row.client_ip, endpoint: row.endpoint, model: row.model, provider: row.provider, reason: row.reason,
      }));
    },
  };
}
