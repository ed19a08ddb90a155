import { version } from '../api/health.js';
import { batchCommand } from './batch-command.js';
import { configCommand } from './config-command.js';
import { costCommand } from './cost-command.js';
import { datasetCommand } from './dataset-command.js';
import { purgeCommand } from './purge-command.js';
import { demoCommand } from './demo-command.js';
import { evalCommand } from './eval-command.js';
import { experimentCommand } from './experiment-command.js';
import { keysCommand, teamsCommand } from './keys-command.js';
import { limitsCommand } from './limits-command.js';
import { migrateCommand } from './migrate-command.js';
import { routerCommand } from './router-command.js';
import { serveCommand } from './serve-command.js';
import { usageCommand } from './usage-command.js';

const help = `tidegate ${version}: a self-hosted LLM gateway (OpenAI- and Anthropic-compatible, cost in CNY)

Usage: tidegate <command> [options]

Commands:
  serve [--config FILE] [--port N] [--host H]   run the gateway (default port 8080)
  config check [FILE] [--json]                  validate a config file (default ./tidegate.yaml)
  migrate [--check] [--json]                    apply storage migrations and exit (a cluster's deploy step)
  keys create NAME [--daily-budget CNY] [--monthly-budget CNY] [--rpm N] [--team T]
  keys update ID [...limits] | list | revoke ID  manage virtual API keys (stored hashed) and their budgets
  teams set NAME [...limits] | list             budgets shared by a team of keys
  cost --model M [--input N] [--cached N] [--output N] [--image WxH]... [--at ISO-8601] [--batch] [--json]
                                                tokens and CNY for a usage at a moment, with the gateway's pricing code
  usage [--group key|model|provider|scenario|day|tier] [--since D] [--until D] [--scheduling] [--json]
                                                spend, flagship-equivalent spend and savings
  batch submit FILE.jsonl [--window 24h] [--wait] | status ID [--wait] | results ID [--output F] [--errors]
                                                OpenAI-format batches run at the cheapest window before their deadline
  limits [--published] [--json]                  admission limits per model (concurrency, tokens/min) and their source
  router train|eval|score [...]                 rebuild, evaluate or run the learned router behind model: auto
  dataset build NAME [--scenario S] [--curate demonstrations,feedback,flagship] [--since D] [--until D] [...]
  dataset list | export NAME --format F [--split train|eval|all] [--output FILE]
                                                fine-tuning datasets from captured traffic (OpenAI, Bailian, Ark, Qianfan, ChatML)
  dataset labels --output FILE.jsonl [--scenario S] [--metric M]
                                                router training labels from feedback and shadow verdicts
  purge --key ID | --expired                    delete a key's captured content and feedback, or what is past retention
  eval run --dataset FILE.jsonl --model M [--incumbent M2] [--evaluator SPEC.json | --scenario NAME] [--cutoff X]
                                                replay a dataset through the gateway, score answers, 95% intervals, CI gate
  experiment status [--json]                    live experiments (track-and-stop): arms, outcomes, shares, winner
  demo [--requests N] [--json]                  start with simulated providers and show what it does

Every command takes --config FILE (default ./tidegate.yaml). Without a config file, providers are
enabled by their API-key variables (DEEPSEEK_API_KEY, DASHSCOPE_API_KEY, ARK_API_KEY, ...).
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'config':
      return configCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'keys':
      return keysCommand(rest);
    case 'teams':
      return teamsCommand(rest);
    case 'cost':
      return costCommand(rest);
    case 'usage':
      return usageCommand(rest);
    case 'batch':
      return batchCommand(rest);
    case 'limits':
      return limitsCommand(rest);
    case 'router':
      return routerCommand(rest);
    case 'dataset':
      return datasetCommand(rest);
    case 'purge':
      return purgeCommand(rest);
    case 'eval':
      return evalCommand(rest);
    case 'experiment':
      return experimentCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case '--version':
    case '-v':
      process.stdout.write(`${version}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(help);
      return 0;
    default:
      process.stderr.write(`tidegate: unknown command "${command}"\n\n${help}`);
      return 2;
  }
}
