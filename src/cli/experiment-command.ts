import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { readExperimentStatus, type ExperimentStatus } from '../experiments/experiment-status.js';
import { migrate, openDatabase } from '../storage/index.js';
import { formatTable } from './table.js';

export const usage = 'usage: tidegate experiment status [--config FILE] [--json]';

function describe(status: ExperimentStatus): string {
  const scope = [status.scenario === null ? '' : `scenario ${status.scenario}`, status.route === null ? '' : `route ${status.route}`].filter(Boolean).join(', ');
  const state = status.phase === 'stopped'
    ? `stopped after ${status.decided_after} outcomes: ${status.winner === null ? `no winner, ${status.serving_arm} (incumbent) keeps the traffic` : `${status.winner} wins at ${Math.round(status.confidence * 100)}% confidence`} (${status.reason}); all traffic to ${status.serving_arm}`
    : `${status.phase}: ${status.outcomes} outcomes, evidence ${status.glr.toFixed(2)} of ${status.glr_threshold.toFixed(2)} needed`;
  const rows = status.arms.map((arm) => [arm.name, arm.model ?? `router ${arm.router}`, arm.requests, arm.outcomes, arm.mean_reward === null ? '-' : arm.mean_reward.toFixed(3), `${(arm.share * 100).toFixed(1)}%`]);
  return [
    `${status.name} (${scope}; metric ${status.metric}; incumbent ${status.incumbent})`,
    state,
    formatTable(['arm', 'serves with', 'requests', 'outcomes', 'mean reward', 'share now'], rows),
  ].join('\n');
}

/** tidegate experiment status: each experiment's arms, outcomes, shares and decision, read from the store. */
export async function experimentCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'status') {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const config = loadConfig({ file: values.config });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    const statuses = await readExperimentStatus(database, config.experiments);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ experiments: statuses }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(statuses.length === 0 ? 'No experiments are configured (experiments: in the config).\n' : `${statuses.map(describe).join('\n\n')}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
