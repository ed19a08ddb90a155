/**
 * Start a provider simulator from the command line:
 *   node dist/src/simulator/cli.js [--port 0] [--host 127.0.0.1] [--latency-ms N] [--token-delay-ms N]
 * Prints `{"url": "..."}` as one JSON line on stdout, then runs until SIGTERM or SIGINT.
 */
import { pathToFileURL } from 'node:url';
import { startSimulator } from './server.js';
import type { SimulatorOptions } from './types.js';

export function parseArgs(argv: readonly string[]): SimulatorOptions {
  const options: SimulatorOptions = {};
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    const value = argv[index + 1];
    const number = (): number => {
      const parsed = Number(value);
      if (value === undefined || !Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} needs a non-negative number`);
      index += 1;
      return parsed;
    };
    if (flag === '--port') options.port = number();
    else if (flag === '--latency-ms') options.latencyMs = number();
    else if (flag === '--token-delay-ms') options.tokenDelayMs = number();
    else if (flag === '--host') {
      if (value === undefined) throw new Error('--host needs a value');
      options.host = value;
      index += 1;
    } else throw new Error(`unknown option ${String(flag)}`);
  }
  return options;
}

export async function runSimulatorCli(argv: readonly string[]): Promise<void> {
  const simulator = await startSimulator(parseArgs(argv));
  process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
  const stop = (): void => {
    simulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runSimulatorCli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`simulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
