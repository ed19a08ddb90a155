import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';

/** Kysely table types of migration 0014 (experiment-migration.ts). */
export interface ExperimentAssignmentsTable {
  request_id: string;
  experiment: string;
  arm: string;
  episode_id: string | null;
  created_at: number;
}

export interface ExperimentOutcomesTable {
  experiment: string;
  unit_id: string;
  arm: string;
  reward: number;
  feedback_id: string;
  created_at: number;
}

export interface ExperimentDecisionsTable {
  experiment: string;
  serving_arm: string;
  winner: string | null;
  reason: string;
  confidence: number;
  glr: number;
  threshold: number;
  tallies: string;
  decided_at: number;
}

// A type alias (not an interface) so it meets withTables' index-signature constraint.
export type ExperimentSchema = {
  experiment_assignments: ExperimentAssignmentsTable;
  experiment_outcomes: ExperimentOutcomesTable;
  experiment_decisions: ExperimentDecisionsTable;
};

export function experimentDb(database: Database): Kysely<ExperimentSchema> {
  return database.db.withTables<ExperimentSchema>() as unknown as Kysely<ExperimentSchema>;
}

export type AssignmentRow = ExperimentAssignmentsTable;
export type OutcomeRow = ExperimentOutcomesTable;

export interface DecisionRow {
  readonly experiment: string;
  readonly servingArm: string;
  readonly winner: string | null;
  readonly reason: string;
  readonly confidence: number;
  readonly glr: number;
  readonly threshold: number;
  readonly tallies: ReadonlyArray<{ arm: string; count: number; sum: number }>;
  readonly decidedAt: number;
}

export async function insertAssignments(database: Database, rows: readonly AssignmentRow[]): Promise<void> {
  if (rows.length === 0) return;
  await experimentDb(database).insertInto('experiment_assignments').values([...rows]).onConflict((oc) => oc.column('request_id').doNothing()).execute();
}

/** The arm a request got (inference-level outcomes), or any request of the episode got (episode-level). */
export async function findAssignment(database: Database, experiment: string, target: { requestId?: string; episodeId?: string }): Promise<AssignmentRow | undefined> {
  let query = experimentDb(database).selectFrom('experiment_assignments').selectAll().where('experiment', '=', experiment);
  if (target.requestId !== undefined) query = query.where('request_id', '=', target.requestId);
  else if (target.episodeId !== undefined) query = query.where('episode_id', '=', target.episodeId);
  else return undefined;
  const row = await query.orderBy('created_at').limit(1).executeTakeFirst();
  return row ? { ...row, created_at: Number(row.created_at) } : undefined;
}

/** Stores an outcome unless its unit already has one; true when this call stored it. */
export async function insertOutcome(database: Database, row: OutcomeRow): Promise<boolean> {
  const result = await experimentDb(database).insertInto('experiment_outcomes').values(row).onConflict((oc) => oc.columns(['experiment', 'unit_id']).doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Per-arm outcome counts and reward sums of every experiment. */
export async function outcomeTallies(database: Database): Promise<Array<{ experiment: string; arm: string; count: number; sum: number }>> {
  const rows = await experimentDb(database)
    .selectFrom('experiment_outcomes')
    .select((eb) => ['experiment', 'arm', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('reward').as('sum')])
    .groupBy(['experiment', 'arm'])
    .execute();
  return rows.map((row) => ({ experiment: row.experiment, arm: row.arm, count: Number(row.count), sum: Number(row.sum ?? 0) }));
}

/** Requests assigned to each arm (for the status view). */
export async function assignmentCounts(database: Database): Promise<Array<{ experiment: string; arm: string; requests: number }>> {
  const rows = await experimentDb(database)
    .selectFrom('experiment_assignments')
    .select((eb) => ['experiment', 'arm', eb.fn.countAll<number>().as('requests')])
    .groupBy(['experiment', 'arm'])
    .execute();
  return rows.map((row) => ({ experiment: row.experiment, arm: row.arm, requests: Number(row.requests) }));
}

/** Records a decision once: the first node to decide wins; returns the decision in force. */
export async function recordDecision(database: Database, decision: DecisionRow): Promise<DecisionRow> {
  await experimentDb(database)
    .insertInto('experiment_decisions')
    .values({
      experiment: decision.experiment,
      serving_arm: decision.servingArm,
      winner: decision.winner,
      reason: decision.reason,
      confidence: decision.confidence,
      glr: decision.glr,
      threshold: decision.threshold,
      tallies: JSON.stringify(decision.tallies),
      decided_at: decision.decidedAt,
    })
    .onConflict((oc) => oc.column('experiment').doNothing())
    .execute();
  return (await decisions(database)).find((row) => row.experiment === decision.experiment) ?? decision;
}

export async function decisions(database: Database): Promise<DecisionRow[]> {
  const rows = await experimentDb(database).selectFrom('experiment_decisions').selectAll().execute();
  return rows.map((row) => ({
    experiment: row.experiment,
    servingArm: row.serving_arm,
    winner: row.winner,
    reason: row.reason,
    confidence: Number(row.confidence),
    glr: Number(row.glr),
    threshold: Number(row.threshold),
    tallies: JSON.parse(row.tallies) as DecisionRow['tallies'],
    decidedAt: Number(row.decided_at),
  }));
}
