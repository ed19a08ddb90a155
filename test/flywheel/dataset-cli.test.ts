import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseConfigText } from '../../src/config/index.js';
import { recordFeedback } from '../../src/flywheel/feedback.js';
import { storageEngine } from '../../src/flywheel/flywheel-service.js';
import { insertInferences, listInferences, type InferenceRow } from '../../src/flywheel/inference-store.js';
import { promptHash } from '../../src/flywheel/prompt-hash.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { migrate, openDatabase } from '../../src/storage/index.js';

let dir: string;
let configFile: string;
const yaml = (db: string) => `storage: { url: "sqlite:${db}" }
metrics:
  helpful: { type: boolean, optimize: max }
scenarios: { support: { quality: { metric: helpful, target: 0.9 } } }
`;

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main([...args, '--config', configFile]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-dataset-cli-'));
  configFile = join(dir, 'tidegate.yaml');
  writeFileSync(configFile, yaml(join(dir, 'cli.db')));
  const config = parseConfigText(yaml(join(dir, 'cli.db')), 'cli.yaml', {});
  const database = await openDatabase(config.storage.url);
  await migrate(database);
  const now = Date.now();
  const rows: InferenceRow[] = ['怎么退货？', '怎么开发票？', '运费多少？', '多久发货？'].map((prompt, i) => {
    const messages = [{ role: 'user' as const, content: prompt }];
    const id = uuidv7(now - 1000 + i);
    return {
      id, episodeId: id, createdAt: now - 1000 + i, expiresAt: now + 86_400_000, apiKeyId: i < 2 ? 'key_a' : 'key_b', scenario: 'support', modelRequested: 'auto', modelServed: 'deepseek-flash',
      provider: 'deepseek', tier: 'light', stream: false, finishReason: 'stop', input: { messages, params: {}, images: 0, tools: 0 }, output: `关于${prompt}的答复`, promptHash: promptHash(messages),
      inputTokens: 5, outputTokens: 5, costNanoCny: 1, configHash: config.hash,
    };
  });
  await insertInferences(database, rows);
  const deps = { database, flywheel: config.flywheel, engine: storageEngine(undefined), writer: undefined, now: () => now };
  for (const row of rows) await recordFeedback(deps, { apiKeyId: undefined, seesAll: true }, { inference_id: row.id, metric: 'helpful', value: true });
  await database.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tidegate dataset and purge', () => {
  it('builds a dataset from well-scored answers and lists it', async () => {
    const built = await run(['dataset', 'build', 'support-v1', '--scenario', 'support', '--curate', 'feedback', '--eval-share', '0']);
    expect(built.code).toBe(0);
    expect(built.stdout).toContain('Dataset support-v1: 4 train, 0 eval (from 4 captured inferences)');
    expect(built.stdout).toMatch(/well-scored \(feedback\)\s+4/);
    const listed = await run(['dataset', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'support-v1', rows: { train: 4, eval: 0 }, spec: { scenario: 'support', curate: ['feedback'] } }]);
  });

  it('exports a format, reports the schema check and the personal-data re-scan, and explains bad input', async () => {
    const output = join(dir, 'out.jsonl');
    const exported = await run(['dataset', 'export', 'support-v1', '--format', 'qianfan-sft', '--output', output]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`Wrote 4 qianfan-sft lines (train) to ${output}`);
    expect(exported.stdout).toContain('personal data: 4 lines re-scanned, 0 findings');
    expect(readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line))[0]).toEqual([{ prompt: '怎么退货？', response: '关于怎么退货？的答复' }]);

    const badFormat = await run(['dataset', 'export', 'support-v1', '--format', 'alpaca']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('--format is one of openai-sft, openai-dpo, bailian-sft, ark-sft, qianfan-sft, qianfan-dpo, chatml');
    const noMetric = await run(['dataset', 'build', 'x', '--curate', 'feedback']);
    expect(noMetric.stderr).toContain('curating by feedback needs --metric');
  });

  it('purges one key\'s captured content and feedback', async () => {
    const purged = await run(['purge', '--key', 'key_a', '--json']);
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toEqual({ key: 'key_a', inferences: 2, feedback: 2, datasetRows: 2 });
    const database = await openDatabase(`sqlite:${join(dir, 'cli.db')}`);
    try {
      expect((await listInferences(database, { now: Date.now() })).map((row) => row.apiKeyId)).toEqual(['key_b', 'key_b']);
    } finally {
      await database.close();
    }
    const listed = await run(['dataset', 'list']);
    expect(listed.stdout).toMatch(/support-v1\s+\S+\s+support\s+feedback\s+2\s+0/);
  });
});
