import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { CaptureWriter, type CaptureRecord } from '../../src/flywheel/capture-writer.js';
import { buildDataset } from '../../src/flywheel/dataset-builder.js';
import { datasetRows } from '../../src/flywheel/dataset-store.js';
import { exportDataset } from '../../src/flywheel/dataset-export.js';
import { EXPORT_FORMATS } from '../../src/flywheel/export-formats.js';
import { recordFeedback } from '../../src/flywheel/feedback.js';
import { storageEngine } from '../../src/flywheel/flywheel-service.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { createPrivacyEngine } from '../../src/privacy/index.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';

/**
 * The whole loop on 10,000 captured calls: capture (masking, hashing, batched inserts) → feedback →
 * dataset (curation, dedup, split) → export in every format with the schema check and the re-scan.
 */
const RECORDS = 10_000;
const NOW = Date.now();
const config = parseConfigText(`
metrics:
  helpful: { type: boolean, optimize: max }
  task_success: { type: boolean, optimize: max, level: episode }
scenarios: { support: { quality: { metric: helpful, target: 0.9 } } }
`, 'loop.yaml', {});
const engine = storageEngine(createPrivacyEngine({ secret: 'loop-test-secret-0123456789' }));
// Checksum-valid resident IDs and mobile numbers sprinkled into prompts and answers.
const IDS = ['11010519491231002X', '110101199003074610'];
const PHONES = ['13812345678', '15912345678', '18600001111'];

let dir: string;
let database: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-loop-'));
  database = await openDatabase(`sqlite:${join(dir, 'loop.db')}`);
  await migrate(database);
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

function record(i: number, episode: string): CaptureRecord {
  // 8,500 distinct questions: the rest repeat earlier ones (sometimes with different spacing or width).
  const question = i % 8_500;
  const spacing = i >= 8_500 && i % 2 === 0 ? '  ' : '';
  const personal = i % 7 === 0 ? `，我的手机 ${PHONES[i % PHONES.length]}，身份证 ${IDS[i % IDS.length]}` : '';
  const content = `${spacing}问题 ${question}：订单 ${question * 37} 怎么退货${personal}？${spacing}`;
  const flagship = i % 3 === 0;
  return {
    id: uuidv7(NOW - (RECORDS - i) * 1000), episodeId: episode, createdAt: NOW - (RECORDS - i) * 1000, apiKeyId: `key_${i % 5}`, scenario: 'support',
    modelRequested: 'auto', modelServed: flagship ? 'deepseek-v4-pro' : 'deepseek-flash', provider: 'deepseek', tier: flagship ? 'flagship' : 'light', stream: i % 2 === 0,
    inputTokens: 40, outputTokens: 20, costNanoCny: 1000, configHash: config.hash,
    draft: {
      retentionMs: 30 * 86_400_000, complete: true, finishReason: 'stop', toolCalls: [],
      request: { model: 'auto', messages: [{ role: 'system', content: '你是电商客服。' }, { role: 'user', content }] },
      output: `订单 ${question * 37} 可在 7 天内退货${i % 11 === 0 ? `，客服电话 ${PHONES[0]}` : ''}。`,
    },
  };
}

describe('capture → feedback → dataset → export on 10,000 calls', () => {
  it('runs in well under 60 s, with no prompt in both splits and no personal data in any export', async () => {
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const next = performance.now();
      timings[name] = Math.round(next - t);
      t = next;
    };

    const writer = new CaptureWriter(database, engine, { batchSize: 500, flushIntervalMs: 20, queueLimit: 5_000 });
    const records: CaptureRecord[] = [];
    let episode = uuidv7(NOW);
    for (let i = 0; i < RECORDS; i += 1) {
      if (i % 3 === 0) episode = uuidv7(NOW - (RECORDS - i) * 1000);
      const next = record(i, episode);
      records.push(next);
      await writer.write(next);
    }
    await writer.close();
    expect(writer.written).toBe(RECORDS);
    lap('capture');

    const deps = { database, flywheel: config.flywheel, engine, writer: undefined, now: () => NOW };
    const admin = { apiKeyId: undefined, seesAll: true };
    let feedbackCount = 0;
    for (const [i, captured] of records.entries()) {
      if (i % 4 === 0) {
        await recordFeedback(deps, admin, { inference_id: captured.id, metric: 'helpful', value: i % 8 === 0 });
        feedbackCount += 1;
      }
      if (i % 25 === 0) {
        await recordFeedback(deps, admin, { inference_id: captured.id, metric: 'demonstration', value: `标准答复 ${i}：请在订单页点击退货。` });
        feedbackCount += 1;
      }
    }
    lap('feedback');

    const report = await buildDataset(database, config.flywheel, { name: 'support-10k', scenario: 'support', curate: ['demonstrations', 'feedback', 'flagship'], evalShare: 0.2 }, NOW + 1);
    lap('dataset');
    expect(report.candidates).toBe(RECORDS);
    expect(report.duplicates).toBeGreaterThan(0);
    const entries = await datasetRows(database, 'support-10k');
    const train = new Set(entries.filter((e) => e.split === 'train').map((e) => e.prompt_hash));
    const evalSet = entries.filter((e) => e.split === 'eval').map((e) => e.prompt_hash);
    expect(evalSet.filter((hash) => train.has(hash))).toEqual([]);
    expect(new Set(entries.map((e) => e.prompt_hash)).size).toBe(entries.length);
    expect(evalSet.length / entries.length).toBeGreaterThan(0.15);
    expect(evalSet.length / entries.length).toBeLessThan(0.25);

    const written: Record<string, number> = {};
    for (const format of EXPORT_FORMATS) {
      const path = join(dir, `${format}.jsonl`);
      const exported = await exportDataset(database, engine.scanner, { name: 'support-10k', format, split: 'all', path, now: NOW + 1 });
      expect(exported.schemaRejected, format).toEqual({});
      expect(exported.personalData.findings, format).toBe(0);
      written[format] = exported.written;
      const text = readFileSync(path, 'utf8');
      for (const value of [...IDS, ...PHONES]) expect(text.includes(value), `${format} contains ${value}`).toBe(false);
      // Masked, not dropped: the questions that carried personal data are there with type markers.
      if (format === 'openai-sft') expect(text).toMatch(/手机 \[PHONE\]，身份证 \[ID_CARD\]/);
    }
    lap('export (7 formats)');
    expect(written['openai-sft']).toBe(entries.length);
    expect(written['openai-dpo']).toBeGreaterThan(0);

    // What `tidegate eval run` reads: OpenAI SFT lines whose last message is the assistant reference.
    const first = JSON.parse(readFileSync(join(dir, 'openai-sft.jsonl'), 'utf8').split('\n')[0]!) as { messages: Array<{ role: string; content: string }> };
    expect(first.messages.at(-1)!.role).toBe('assistant');

    const total = Object.values(timings).reduce((a, b) => a + b, 0);
    process.stderr.write(`flywheel loop on ${RECORDS} calls (${feedbackCount} feedback, ${entries.length} examples: ${report.train} train / ${report.eval} eval, ${report.duplicates} duplicates): ${JSON.stringify(timings)} ms, total ${total} ms; lines ${JSON.stringify(written)}\n`);
    expect(total).toBeLessThan(60_000);
  }, 120_000);
});
