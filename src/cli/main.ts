import { version } from '../api/health.js';
import { configCommand } from './config-command.js';
import { costCommand } from './cost-command.js';
import { demoCommand } from './demo-command.js';
import { keysCommand } from './keys-command.js';
import { serveCommand } from './serve-command.js';

const help = `tidegate ${version}: a self-hosted LLM gateway (OpenAI- and Anthropic-compatible, cost in CNY)

Usage: tidegate <command> [options]

Commands:
  serve [--config FILE] [--port N] [--host H]   run the gateway (default port 8080)
  config check [FILE] [--json]                  validate a config file (default ./tidegate.yaml)
  keys create NAME | list | revoke ID [--json]  manage virtual API keys (stored hashed)
  cost --model M [--input N] [--cached N] [--output N] [--json]
                                                tokens and CNY for a usage, with the gateway's pricing code
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
    case 'keys':
      return keysCommand(rest);
    case 'cost':
      return costCommand(rest);
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
