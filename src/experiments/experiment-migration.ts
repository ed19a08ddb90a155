import type { Kysely } from 'kysely';

/**
 * Migration 0014 (shipped as part of storage/migrations.ts; never edit it once released): which arm each request
 * of an experiment got, one outcome per scored unit (inference or episode), and the decision once the rule stops.
 * The per-arm counts and reward sums are sums over experiment_outcomes, so a restart or another node loses nothing.
 */
export async function createExperimentTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('experiment_assignments')
    .addColumn('request_id', 'text', (c) => c.primaryKey())
    .addColumn('experiment', 'text', (c) => c.notNull())
    .addColumn('arm', 'text', (c) => c.notNull())
    .addColumn('episode_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('experiment_assignments_episode_idx').on('experiment_assignments').columns(['episode_id', 'experiment']).execute();

  await db.schema
    .createTable('experiment_outcomes')
    .addColumn('experiment', 'text', (c) => c.notNull())
    /** The inference id, or the episode id for an episode-level metric: each unit counts once. */
    .addColumn('unit_id', 'text', (c) => c.notNull())
    .addColumn('arm', 'text', (c) => c.notNull())
    .addColumn('reward', 'double precision', (c) => c.notNull())
    .addColumn('feedback_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('experiment_outcomes_pk', ['experiment', 'unit_id'])
    .execute();

  await db.schema
    .createTable('experiment_decisions')
    .addColumn('experiment', 'text', (c) => c.primaryKey())
    /** The arm that gets all traffic from now on (the winner, or the incumbent when no arm beat it). */
    .addColumn('serving_arm', 'text', (c) => c.notNull())
    .addColumn('winner', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('confidence', 'double precision', (c) => c.notNull())
    .addColumn('glr', 'double precision', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    /** JSON: [{ arm, count, sum }] at the moment of the decision. */
    .addColumn('tallies', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'bigint', (c) => c.notNull())
    .execute();
}
