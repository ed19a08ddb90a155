import type { Database } from '../storage/index.js';
import type { ExperimentConfig } from './config.js';
import { assignmentCounts, decisions, outcomeTallies, type DecisionRow } from './experiment-store.js';
import { allocate, checkStop, meanOf, type ArmTally, type TrackAndStopSettings } from './track-and-stop.js';

/** What GET /admin/experiments and `tidegate experiment status --json` report for one experiment. */
export interface ExperimentStatus {
  readonly name: string;
  readonly scenario: string | null;
  readonly route: string | null;
  readonly metric: string;
  readonly confidence: number;
  readonly threshold_kind: string;
  readonly phase: 'nursery' | 'tracking' | 'stopped';
  readonly incumbent: string;
  /** The arm that gets all traffic once stopped; null while the experiment runs. */
  readonly serving_arm: string | null;
  readonly winner: string | null;
  readonly reason: string | null;
  readonly decided_at: string | null;
  /** Outcomes counted when the rule stopped (later feedback still adds to the arms' outcomes). */
  readonly decided_after: number | null;
  /** Evidence that the leader beats its closest challenger, and the value it must pass. */
  readonly glr: number;
  readonly glr_threshold: number;
  readonly outcomes: number;
  readonly arms: ReadonlyArray<{ name: string; model: string | null; router: string | null; requests: number; outcomes: number; mean_reward: number | null; share: number }>;
}

export function settingsOf(experiment: ExperimentConfig): TrackAndStopSettings {
  return {
    delta: 1 - experiment.confidence,
    minSamplesPerArm: experiment.minSamplesPerArm,
    maxSharePerArm: experiment.maxSharePerArm,
    maxSamples: experiment.maxSamples,
    threshold: experiment.threshold,
  };
}

/** Per-arm tallies of one experiment in arm order (arms no longer in the config are left out). */
export function talliesFor(experiment: ExperimentConfig, rows: ReadonlyArray<{ experiment: string; arm: string; count: number; sum: number }>): ArmTally[] {
  return experiment.arms.map((arm) => {
    const row = rows.find((candidate) => candidate.experiment === experiment.name && candidate.arm === arm.name);
    return { count: row?.count ?? 0, sum: row?.sum ?? 0 };
  });
}

/** One experiment's status from its tallies, its decision (if any) and the requests each arm got. */
export function describeExperiment(experiment: ExperimentConfig, tallies: readonly ArmTally[], decision: DecisionRow | undefined, requests: ReadonlyMap<string, number>): ExperimentStatus {
  const settings = settingsOf(experiment);
  const allocation = allocate(tallies, settings);
  const check = checkStop(tallies, settings);
  const serving = decision?.servingArm ?? null;
  return {
    name: experiment.name,
    scenario: experiment.scenario ?? null,
    route: experiment.route ?? null,
    metric: experiment.metric,
    confidence: experiment.confidence,
    threshold_kind: experiment.threshold,
    phase: decision ? 'stopped' : allocation.phase,
    incumbent: experiment.arms[experiment.incumbent]!.name,
    serving_arm: serving,
    winner: decision?.winner ?? null,
    reason: decision?.reason ?? null,
    decided_at: decision ? new Date(decision.decidedAt).toISOString() : null,
    decided_after: decision ? decision.tallies.reduce((sum, tally) => sum + tally.count, 0) : null,
    glr: decision?.glr ?? check.glr,
    glr_threshold: decision?.threshold ?? check.threshold,
    outcomes: tallies.reduce((sum, tally) => sum + tally.count, 0),
    arms: experiment.arms.map((arm, index) => ({
      name: arm.name,
      model: arm.model ?? null,
      router: arm.router ?? null,
      requests: requests.get(arm.name) ?? 0,
      outcomes: tallies[index]!.count,
      mean_reward: tallies[index]!.count === 0 ? null : meanOf(tallies[index]!),
      share: serving === null ? allocation.shares[index]! : arm.name === serving ? 1 : 0,
    })),
  };
}

/** Every configured experiment's status, read from the store (what the gateway and the CLI show). */
export async function readExperimentStatus(database: Database, experiments: readonly ExperimentConfig[]): Promise<ExperimentStatus[]> {
  const [tallies, decided, assigned] = await Promise.all([outcomeTallies(database), decisions(database), assignmentCounts(database)]);
  return experiments.map((experiment) => {
    const requests = new Map(assigned.filter((row) => row.experiment === experiment.name).map((row) => [row.arm, row.requests]));
    return describeExperiment(experiment, talliesFor(experiment, tallies), decided.find((row) => row.experiment === experiment.name), requests);
  });
}
