#!/usr/bin/env node
import { holdYoungGeneration } from '../dist/src/cli/heap-tuning.js';

// Before the rest of the CLI is loaded (src/cli/heap-tuning.ts says why).
holdYoungGeneration();
const argv = process.argv.slice(2);
// `serve` loads the serving code only: the other commands' modules (router training, simulator, datasets,
// evaluation) would otherwise stay resident in the gateway for its whole life (~4 MiB).
const run = argv[0] === 'serve'
  ? () => import('../dist/src/cli/serve-command.js').then(({ serveCommand }) => serveCommand(argv.slice(1)))
  : () => import('../dist/src/cli/main.js').then(({ main }) => main(argv));

// A reader that stops early (`tidegate keys list | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

run().then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  async (error) => {
    process.stderr.write(`tidegate: ${error instanceof Error ? error.message : String(error)}\n`);
    // A command-line mistake exits 2 everywhere (main.ts); serve's arrive here, other failures exit 1.
    const { isArgumentError } = await import('../dist/src/cli/usage-error.js');
    process.exitCode = isArgumentError(error) ? 2 : 1;
  },
);
