import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { migrateCommand } from '../../src/cli/migrate-command.js';
import { migrationNames } from '../../src/storage/index.js';
import { targets } from '../storage/storage-targets.js';

const dir = mkdtempSync(join(tmpdir(), 'tidegate-migrate-'));
const store = targets.find((target) => target.name === 'postgres')!.fresh();
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await store.cleanup();
});

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    const code = await migrateCommand(args);
    return { code, out: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('tidegate migrate', () => {
  it('applies every migration to an empty PostgreSQL schema once, and --check says when any is pending', async () => {
    const config = join(dir, 'tidegate.yaml');
    writeFileSync(config, `storage: { url: "${store.url}" }\n`);
    expect(await run(['--check', '--config', config, '--json'])).toEqual({ code: 1, out: `${JSON.stringify({ pending: migrationNames })}\n` });
    const first = await run(['--config', config, '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toEqual({ applied: migrationNames, latest: migrationNames.at(-1) });
    expect(await run(['--config', config])).toEqual({ code: 0, out: `Storage schema is up to date (${migrationNames.at(-1)}).\n` });
    expect(await run(['--check', '--config', config])).toEqual({ code: 0, out: 'Storage schema is up to date.\n' });
  });
});
