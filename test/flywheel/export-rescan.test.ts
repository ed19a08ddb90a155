import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { buildDataset } from '../../src/flywheel/dataset-builder.js';
import { exportDataset } from '../../src/flywheel/dataset-export.js';
import { storageEngine } from '../../src/flywheel/flywheel-service.js';
import { insertInferences, type InferenceRow } from '../../src/flywheel/inference-store.js';
import { promptHash } from '../../src/flywheel/prompt-hash.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';

const NOW = Date.now();
let dir: string;
let database: Database;

function row(prompt: string, output: string): InferenceRow {
  const messages = [{ role: 'user' as const, content: prompt }];
  const id = uuidv7(NOW);
  return {
    id, episodeId: id, createdAt: NOW, expiresAt: NOW + 86_400_000, apiKeyId: null, scenario: 's', modelRequested: 'm', modelServed: 'big', provider: 'p', tier: 'flagship',
    stream: false, finishReason: 'stop', input: { messages, params: {}, images: 0, tools: 0 }, output, promptHash: promptHash(messages), inputTokens: 1, outputTokens: 1, costNanoCny: 1, configHash: 'h',
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-rescan-'));
  database = await openDatabase(`sqlite:${join(dir, 'db.sqlite')}`);
  await migrate(database);
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('export re-scan', () => {
  it('withholds a line that still holds personal data (e.g. stored before a detector existed) and says so', async () => {
    // Written straight to the store, bypassing capture's masking, to prove the re-scan is what stops it.
    await insertInferences(database, [row('退货', '好的'), row('回电', '请拨 13812345678')]);
    const config = parseConfigText('', 'x.yaml', {});
    await buildDataset(database, config.flywheel, { name: 'd', curate: ['flagship'], evalShare: 0 }, NOW);
    const path = join(dir, 'out.jsonl');
    const report = await exportDataset(database, storageEngine(undefined).scanner, { name: 'd', format: 'bailian-sft', split: 'train', path, now: NOW });
    expect(report.written).toBe(1);
    expect(report.personalData).toEqual({ linesScanned: 2, findings: 1, withheld: 1 });
    expect(readFileSync(path, 'utf8')).not.toContain('13812345678');
  });

  it('skips entries whose content expired since the build', async () => {
    const report = await exportDataset(database, storageEngine(undefined).scanner, { name: 'd', format: 'openai-sft', split: 'train', path: join(dir, 'later.jsonl'), now: NOW + 2 * 86_400_000 });
    expect(report).toMatchObject({ written: 0, missing: 2 });
  });
});
