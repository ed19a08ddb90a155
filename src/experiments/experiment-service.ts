import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { loadDefaultRouter } from '../routing/default-router.js';
import { RouterService } from '../routing/router-service.js';
import type { Database } from '../storage/index.js';
import { AssignmentWriter } from './assignment-writer.js';
import { rewardOf, type ExperimentArmConfig, type ExperimentConfig } from './config.js';
import { decisions, findAssignment, insertOutcome, outcomeTallies, recordDecision, type DecisionRow } from './experiment-store.js';
import { readExperimentStatus, settingsOf, talliesFor, type ExperimentStatus } from './experiment-status.js';
import { allocate, checkStop, pickArm, type ArmTally } from './track-and-stop.js';

/** The arm a request was given: the pipeline routes with its model or its router. */
export interface ArmChoice {
  readonly experiment: string;
  readonly arm: ExperimentArmConfig;
  readonly router: RouterService | undefined;
  /** Why, for x-tidegate-route-reason. */
  readonly reason: string;
}

/** Feedback just stored (POST /v1/feedback), as the experiments see it. */
export interface StoredFeedback {
  readonly id: string;
  readonly targetType: 'inference' | 'episode';
  readonly targetId: string;
  readonly metric: string;
  readonly valueNumber: number | null;
}

interface LiveExperiment {
  readonly config: ExperimentConfig;
  tallies: ArmTally[];
  shares: readonly number[];
  decision: DecisionRow | undefined;
  /** Episode id → arm index, so every call of an episode gets the same arm (bounded, oldest dropped first). */
  readonly episodes: Map<string, number>;
}

const MAX_STICKY_EPISODES = 100_000;

/** A uniform draw in [0, 1) fixed by the seed, the experiment and the id: the same inputs give the same arm. */
export function seededUniform(seed: number, experiment: string, id: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${experiment}\u0000${id}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * Live experiments (src/experiments/): assigns arms on the request path from in-memory shares (no I/O), writes
 * assignments in the background, turns feedback on the experiment's metric into outcomes (once per inference or
 * episode, in the store), and applies the track-and-stop rule after each one. State is re-read from the store at
 * start and every `refreshMs`, so a restart loses nothing and several nodes converge on the same counts and decision.
 */
export class ExperimentService {
  readonly writer: AssignmentWriter;
  readonly #live: LiveExperiment[];
  readonly #routers = new Map<string, RouterService>();
  #timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly refreshMs: number;

  constructor(
    private readonly database: Database,
    private readonly experiments: readonly ExperimentConfig[],
    private readonly logger: Logger,
    options: { cwd?: string; now?: () => number; refreshMs?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.refreshMs = options.refreshMs ?? 5_000;
    this.writer = new AssignmentWriter(database, { flushIntervalMs: 100, batchSize: 200, queueLimit: 10_000, onError: (error) => logger.error('experiment assignment write failed; will retry', { error: String(error) }) });
    this.#live = experiments.map((config) => ({ config, tallies: config.arms.map(() => ({ count: 0, sum: 0 })), shares: config.arms.map(() => 1 / config.arms.length), decision: undefined, episodes: new Map() }));
    for (const arm of experiments.flatMap((experiment) => experiment.arms)) {
      if (arm.router === undefined || this.#routers.has(arm.router)) continue;
      const path = resolve(options.cwd ?? process.cwd(), arm.router);
      try {
        this.#routers.set(arm.router, new RouterService(loadDefaultRouter(path)));
      } catch (error) {
        throw new Error(`experiments: arm "${arm.name}" names router ${path}, which could not be loaded (a file written by tidegate router train): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
  }

  /** Loads counts and decisions from the store, then keeps them fresh. */
  async start(): Promise<void> {
    await this.refresh();
    if (this.#live.length === 0) return;
    this.#timer = setInterval(() => void this.refresh().catch((error: unknown) => this.logger.warn('experiment refresh failed', { error: String(error) })), this.refreshMs);
    this.#timer.unref();
  }

  /** Re-reads every experiment's tallies and decision from the store (other nodes' outcomes included). */
  async refresh(): Promise<void> {
    if (this.#live.length === 0) return;
    const [rows, decided] = await Promise.all([outcomeTallies(this.database), decisions(this.database)]);
    for (const live of this.#live) {
      live.tallies = talliesFor(live.config, rows);
      live.decision = decided.find((row) => row.experiment === live.config.name);
      await this.#advance(live);
    }
  }

  /** The arm for this request when it is in an experiment's scenario or route; sets context.experiment. No I/O. */
  assign(context: RequestContext, requested: string): ArmChoice | undefined {
    // Live traffic only: deferred jobs (batches, shadow runs that must reach the flagship) keep the model they name.
    if (context.priority === 'deferrable') return undefined;
    const live = this.#live.find(({ config }) => (config.scenario === undefined || config.scenario === context.scenario) && (config.route === undefined || config.route === requested));
    if (!live) return undefined;
    const { config } = live;
    let index: number;
    let why: string;
    if (live.decision) {
      index = Math.max(0, config.arms.findIndex((arm) => arm.name === live.decision!.servingArm));
      why = live.decision.winner === null ? 'stopped undecided, incumbent' : live.decision.winner === live.decision.servingArm ? 'stopped, winner' : 'stopped, incumbent kept';
    } else {
      const sticky = context.episodeId === undefined ? undefined : live.episodes.get(context.episodeId);
      index = sticky ?? pickArm(live.shares, seededUniform(config.seed, config.name, context.episodeId ?? context.id));
      why = sticky === undefined ? `share ${live.shares[index]!.toFixed(2)}` : 'same episode';
      if (context.episodeId !== undefined && sticky === undefined) {
        if (live.episodes.size >= MAX_STICKY_EPISODES) live.episodes.delete(live.episodes.keys().next().value!);
        live.episodes.set(context.episodeId, index);
      }
    }
    const arm = config.arms[index]!;
    context.experiment = { name: config.name, arm: arm.name };
    return { experiment: config.name, arm, router: arm.router === undefined ? undefined : this.#routers.get(arm.router), reason: `experiment ${config.name}/${arm.name} (${why})` };
  }

  /** From the ledger, after the call: queue the assignment (off the request path). */
  record(context: RequestContext): void | Promise<void> {
    if (!context.experiment) return;
    return this.writer.write({ request_id: context.id, experiment: context.experiment.name, arm: context.experiment.arm, episode_id: context.episodeId ?? context.id, created_at: context.startedAt });
  }

  /** After POST /v1/feedback stored new feedback: an outcome for each running experiment scored by that metric. */
  async observe(feedback: StoredFeedback): Promise<void> {
    if (feedback.valueNumber === null) return;
    for (const live of this.#live) {
      const { config } = live;
      if (config.metric !== feedback.metric || config.level !== feedback.targetType) continue;
      const reward = rewardOf(config, feedback.valueNumber);
      if (reward === undefined) continue;
      const target = feedback.targetType === 'inference' ? { requestId: feedback.targetId } : { episodeId: feedback.targetId };
      const assignment = this.writer.pending(config.name, target) ?? (await findAssignment(this.database, config.name, target));
      const index = assignment ? config.arms.findIndex((arm) => arm.name === assignment.arm) : -1;
      if (index < 0) continue;
      const stored = await insertOutcome(this.database, { experiment: config.name, unit_id: feedback.targetId, arm: assignment!.arm, reward, feedback_id: feedback.id, created_at: this.now() });
      if (!stored) continue;
      const tally = live.tallies[index]!;
      live.tallies[index] = { count: tally.count + 1, sum: tally.sum + reward };
      await this.#advance(live);
    }
  }

  /** After new outcomes: stop (and record the decision once, in the store) or recompute the shares. */
  async #advance(live: LiveExperiment): Promise<void> {
    if (live.decision) return;
    const settings = settingsOf(live.config);
    const check = checkStop(live.tallies, settings);
    if (!check.stop) {
      live.shares = allocate(live.tallies, settings).shares;
      return;
    }
    const { config } = live;
    const incumbent = config.arms[config.incumbent]!.name;
    const winner = check.winner === undefined ? null : config.arms[check.winner]!.name;
    live.decision = await recordDecision(this.database, {
      experiment: config.name,
      servingArm: winner ?? incumbent,
      winner,
      reason: check.reason === 'confident' ? (winner === incumbent ? 'the incumbent is best' : `${winner} beats every other arm`) : `no arm beat the others within ${config.maxSamples} outcomes`,
      confidence: config.confidence,
      glr: check.glr,
      threshold: check.threshold,
      tallies: config.arms.map((arm, index) => ({ arm: arm.name, count: live.tallies[index]!.count, sum: live.tallies[index]!.sum })),
      decidedAt: this.now(),
    });
    this.logger.info('experiment stopped', { experiment: config.name, serving: live.decision.servingArm, winner: live.decision.winner ?? 'none', glr: check.glr, threshold: check.threshold });
  }

  /** Every experiment's status (assignments written first, so request counts are current). */
  async status(): Promise<ExperimentStatus[]> {
    await this.writer.flush();
    return readExperimentStatus(this.database, this.experiments);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await this.writer.close();
  }
}
