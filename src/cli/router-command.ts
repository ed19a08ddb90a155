import { routerEvalCommand, routerScoreCommand, routerTrainCommand } from '../router/cli.js';

const usage = `Usage: tidegate router <train|eval|score> [options]
  train [--out FILE] [--labels FILE.jsonl]... [--labels-weight W] [--json]
                                       rebuild the router artifact from data/routing (default: the shipped one),
                                       adding labelled outcomes the gateway collected, each weighted W (default 3).
                                       Labels file: one JSON object per line, {"prompt":"…"} or {"messages":[…]}
                                       with {"strong":0..1,"weak":0..1} (flagship and light outcome) or
                                       {"winner":"flagship"|"light"|"tie"}; optional "weight" (> 0); # comments.
                                       A bad line stops training with FILE:LINE and what is wrong.
  eval [--benchmark B]... [--resamples N] [--curve 0,100,500,1500] [--json]
                                       APGR and CPT on held-out benchmarks with 95% intervals, and the learning curve
  score [--model FILE] < in.jsonl      one {"id","score"} line per {"id","prompt"} or {"id","messages"} line
`;

/** tidegate router train | eval | score */
export async function routerCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'train':
      return routerTrainCommand(rest);
    case 'eval':
      return routerEvalCommand(rest);
    case 'score':
      return routerScoreCommand(rest);
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
