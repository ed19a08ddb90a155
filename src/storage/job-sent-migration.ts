import type { Kysely } from 'kysely';

/**
 * Migration 0015 (never edit it once released): the two phases of a running line. `jobs.sent_at` is null while
 * a line is claimed but not yet sent (a takeover may queue it again: the provider never saw it), and set, with a
 * write fenced by the runner's lease, right before the upstream call. A line found running with `sent_at` set by
 * a new leader (or by the next start on SQLite) may have run at the provider, so it is not sent again by default.
 */
export async function addJobSentAt(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('sent_at', 'bigint').execute();
}
