import { routerEvalCommand, routerScoreCommand, routerTrainCommand } from '../router/cli.js';

const usage = `Usage: tidegate router <train|eval|score> [options]
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
       [--curve-source mmlu|gsm8k] [--curve-mode task|feedback] [--json]
                                       APGR and CPT on held-out benchmarks with 95% intervals, and the in-domain
                                       learning curve (mean over label samples); feedback mode adds the labels as
                                       the gateway would (prompt and outcome only)
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
