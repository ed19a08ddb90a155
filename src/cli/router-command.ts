import { parseArgs } from 'node:util';
import { routerEvalCommand, routerTrainCommand } from '../router/cli.js';
import { routerScoreLines } from './router-score.js';
import { UsageError } from './usage-error.js';

export const usage = `Usage: tidegate router <train|eval|score> [options]
  train [--out FILE] [--labels FILE.jsonl]... [--labels-weight W] [--json]
                                       rebuild the router artifact from data/routing (default: the shipped one),
                                       adding labelled outcomes the gateway collected, each weighted W (default 3).
                                       Labels file: one JSON object per line, {"prompt":"…"} or {"messages":[…]}
                                       with {"strong":0..1,"weak":0..1} (flagship and light outcome) or
                                       {"winner":"flagship"|"light"|"tie"}; optional "weight" (> 0); # comments.
                                       {"flagship_score":0..1,"light_score":0..1} also accepted.
                                       A bad line stops training with FILE:LINE and what is wrong.
  train --from-feedback --labels FILE.jsonl... [--out FILE] [--model FILE] [--replay-share 0.3] [--resamples N] [--json]
                                       train a versioned candidate on the data plus 70% of the labels, written beside
                                       --out as router-v2-fb-<digest>.json; it replaces --out (default: the shipped
                                       artifact) only if, on the other 30%, a paired bootstrap of APGR against the
                                       current artifact (--model, default --out) has its 95% lower bound above 0 and
                                       it is not significantly worse on the held-aside benchmark records; otherwise
                                       the current artifact stays and the reason is printed
  eval [--benchmark B]... [--resamples N] [--curve 0,100,500,1500] [--curve-seeds 7,8,9,10,11]
       [--curve-source mmlu|gsm8k] [--curve-mode task|joint|feedback] [--json]
                                       APGR and CPT on held-out benchmarks with 95% intervals (--resamples: an
                                       integer of at least 100, default 1000), and the in-domain learning curve
                                       (mean over label samples); task mode stacks the labels with their task,
                                       joint pools them with the out-of-domain data, feedback mode adds them as
                                       the gateway would (prompt and outcome only)
  score [--model FILE] < in.jsonl      one {"id","score"} line per {"id","prompt"} or {"id","messages"} line;
                                       blank lines and # comments are skipped, a bad line stops with its number
Each takes --config FILE like every command, and ignores it: the router's data and artifacts are files of their own.
`;

/** --config FILE is every command's option; the router reads no config, so it is dropped before the subcommand parses. */
function withoutConfig(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') return [...kept, ...argv.slice(index)];
    if (arg === '--config') index++;
    else if (!arg.startsWith('--config=')) kept.push(arg);
  }
  return kept;
}

/** router eval takes --resamples on the same terms as router train (which checks its own). */
function checkResamples(argv: readonly string[]): void {
  const { values } = parseArgs({ args: [...argv], strict: false, options: { resamples: { type: 'string' } } });
  const resamples = values.resamples;
  if (resamples === undefined) return;
  if (typeof resamples !== 'string' || !/^\d+$/.test(resamples) || Number(resamples) < 100) {
    throw new UsageError(`--resamples must be an integer of at least 100, got "${String(resamples)}"`);
  }
}

/** tidegate router train | eval | score */
export async function routerCommand(argv: string[]): Promise<number> {
  const [sub, ...given] = argv;
  const rest = withoutConfig(given);
  switch (sub) {
    case 'train':
      return routerTrainCommand(rest);
    case 'eval':
      checkResamples(rest);
      return routerEvalCommand(rest);
    case 'score':
      return routerScoreLines(rest);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(usage);
      return sub === undefined ? 2 : 0;
    default:
      process.stderr.write(`tidegate router: unknown subcommand "${sub}"\n\n${usage}`);
      return 2;
  }
}
