import { version } from '../api/health.js';
import { batchCommand, usage as batchUsage } from './batch-command.js';
import { configCommand, usage as configUsage } from './config-command.js';
import { costCommand, usage as costUsage } from './cost-command.js';
import { datasetCommand, usage as datasetUsage } from './dataset-command.js';
import { purgeCommand, usage as purgeUsage } from './purge-command.js';
import { demoCommand, usage as demoUsage } from './demo-command.js';
import { evalCommand, usage as evalUsage } from './eval-command.js';
import { experimentCommand, usage as experimentUsage } from './experiment-command.js';
import { keysCommand, teamsCommand, usage as keysUsage } from './keys-command.js';
import { limitsCommand, usage as limitsUsage } from './limits-command.js';
import { migrateCommand, usage as migrateUsage } from './migrate-command.js';
import { routerCommand, usage as routerUsage } from './router-command.js';
import { serveCommand, usage as serveUsage } from './serve-command.js';
import { helpRequested, isArgumentError, UsageError } from './usage-error.js';
import { usageCommand, usage as usageUsage } from './usage-command.js';

interface Command {
  run(argv: string[]): Promise<number>;
  /** Printed for --help / -h anywhere in the command's arguments. */
  usage: string;
}

const commands: Record<string, Command> = {
  serve: { run: serveCommand, usage: serveUsage },
  config: { run: configCommand, usage: configUsage },
  migrate: { run: migrateCommand, usage: migrateUsage },
  keys: { run: keysCommand, usage: keysUsage },
  teams: { run: teamsCommand, usage: keysUsage },
  cost: { run: costCommand, usage: costUsage },
  usage: { run: usageCommand, usage: usageUsage },
  batch: { run: batchCommand, usage: batchUsage },
  limits: { run: limitsCommand, usage: limitsUsage },
  router: { run: routerCommand, usage: routerUsage },
  dataset: { run: datasetCommand, usage: datasetUsage },
  purge: { run: purgeCommand, usage: purgeUsage },
  eval: { run: evalCommand, usage: evalUsage },
  experiment: { run: experimentCommand, usage: experimentUsage },
  demo: { run: demoCommand, usage: demoUsage },
};

const help = `tidegate ${version}: a self-hosted LLM gateway (OpenAI- and Anthropic-compatible, cost in CNY)

Usage: tidegate <command> [options]

Commands:
  serve [--config FILE] [--port N] [--host H]   run the gateway (default port 8080)
  config check [FILE]... [--json]               validate config files (default ./tidegate.yaml)
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

Every command takes --config FILE (default ./tidegate.yaml) and --help. Without a config file, providers are
enabled by their API-key variables (DEEPSEEK_API_KEY, DASHSCOPE_API_KEY, ARK_API_KEY, ...).
`;

/** Help is answered here, before a command loads its config or opens (and so creates) its database. */
async function runCommand(name: string, command: Command, argv: string[]): Promise<number> {
  if (helpRequested(argv)) {
    process.stdout.write(command.usage.endsWith('\n') ? command.usage : `${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(argv);
  } catch (error) {
    if (!isArgumentError(error)) throw error;
    // An unknown or malformed option gets a pointer to the options; a bad value's message says enough.
    const hint = error instanceof UsageError ? '' : `(tidegate ${name} --help shows the options)\n`;
    process.stderr.write(`tidegate ${name}: ${error.message}\n${hint}`);
    return 2;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(commands, command)) return runCommand(command, commands[command]!, rest);
  switch (command) {
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
