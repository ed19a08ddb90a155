import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Walks up from this module to the repository root, so the same code finds data/ and the shipped artifact whether
 * it runs from src/ (vitest, tsx) or from dist/src/ (the built CLI), which tsc does not copy JSON into. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'router'))) return dir;
    dir = resolve(dir, '..');
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export const ROOT = repoRoot();
export const DATA_DIR = join(ROOT, 'data', 'routing');
export const DEFAULT_ARTIFACT = join(ROOT, 'src', 'router', 'artifacts', 'router-v2.json');
