#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

// A reader that stops early (`tidegate keys list | head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (error) => {
    process.stderr.write(`tidegate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
