import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportDataset } from '../../src/flywheel/dataset-export.js';
import { parseConfigText } from '../../src/config/index.js';
import { buildDataset } from '../../src/flywheel/dataset-builder.js';
import { listDatasets } from '../../src/flywheel/dataset-store.js';
import { recordFeedback, type FeedbackDeps } from '../../src/flywheel/feedback.js';
import { feedbackFor } from '../../src/flywheel/feedback-store.js';
import { storageEngine } from '../../src/flywheel/flywheel-service.js';
import { insertInferences, listInferences, type InferenceRow } from '../../src/flywheel/inference-store.js';
import { promptHash } from '../../src/flywheel/prompt-hash.js';
import { purgeKey, sweepExpired } from '../../src/flywheel/retention.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { migrate, openDatabase, RequestLogWriter, type Database } from '../../src/storage/index.js';
import { makeRow, targets } from '../storage/storage-targets.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-01T00:00:00Z');
const config = parseConfigText(`
metrics:
  helpful: { type: boolean, optimize: max }
capture: { all: true }
`, 'test.yaml', {});

function inference(overrides: Partial<InferenceRow> & { prompt: string }): InferenceRow {
  const { prompt, ...rest } = overrides;
  const messages = [{ role: 'user' as const, content: prompt }];
  const id = uuidv7(NOW);
  return {
    id, episodeId: id, createdAt: NOW, expiresAt: NOW + 30 * DAY, apiKeyId: 'key_a', scenario: 'support', modelRequested: 'm', modelServed: 'm', provider: 'p',
    tier: 'light', stream: false, finishReason: 'stop', input: { messages, params: {}, images: 0, tools: 0 }, output: `answer to ${prompt}`, promptHash: promptHash(messages),
    inputTokens: 10, outputTokens: 5, costNanoCny: 100, configHash: 'h', ...rest,
  };
}

for (const target of targets) {
  describe(`flywheel storage on ${target.name}`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let deps: FeedbackDeps;
    beforeAll(async () => {
      const fresh = target.fresh();
      cleanup = fresh.cleanup;
      database = await openDatabase(fresh.url);
      await migrate(database);
      deps = { database, flywheel: config.flywheel, engine: storageEngine(undefined), writer: undefined, now: () => NOW + 1000 };
    });
    afterAll(async () => {
      await database?.close();
      await cleanup?.();
    });

    it('stores feedback once under concurrent identical submissions, and only on the caller\'s own inferences', async () => {
      const mine = inference({ prompt: '你好' });
      const theirs = inference({ prompt: '再见', apiKeyId: 'key_b' });
      await insertInferences(database, [mine, theirs]);
      const caller = { apiKeyId: 'key_a', seesAll: false };
      const results = await Promise.all(Array.from({ length: 8 }, () => recordFeedback(deps, caller, { inference_id: mine.id, metric: 'helpful', value: true })));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await feedbackFor(database, [mine.id])).toHaveLength(1);
      await expect(recordFeedback(deps, caller, { inference_id: theirs.id, metric: 'helpful', value: true })).rejects.toMatchObject({ code: 'inference_not_found' });
      // The admin sees every tenant's inferences.
      await expect(recordFeedback(deps, { apiKeyId: undefined, seesAll: true }, { inference_id: theirs.id, metric: 'helpful', value: false })).resolves.toMatchObject({ created: true });
    });

    it('deletes content past its retention and request-log metadata past its own', async () => {
      const old = inference({ prompt: 'old', expiresAt: NOW - 1 });
      await insertInferences(database, [old]);
      const writer = new RequestLogWriter(database, { batchSize: 10, flushIntervalMs: 10, queueLimit: 100 });
      writer.write(makeRow({ id: 'old-meta', createdAt: NOW - 181 * DAY }));
      writer.write(makeRow({ id: 'new-meta', createdAt: NOW - 179 * DAY }));
      await writer.close();
      const swept = await sweepExpired(database, NOW, 180 * DAY);
      expect(swept).toMatchObject({ inferences: 1, requestLog: 1 });
      expect((await listInferences(database, { now: NOW - 10 })).map((row) => row.output)).not.toContain('answer to old');
      const left = await database.db.selectFrom('request_log').select('id').execute();
      expect(left.map((row) => row.id)).toEqual(['new-meta']);
    });

    it('purges one key\'s content, the feedback on it and its dataset entries, and nothing of other keys', async () => {
      const report = await buildDataset(database, config.flywheel, { name: 'all', curate: ['feedback'], metric: 'helpful', evalShare: 0 }, NOW);
      expect(report.selected.feedback).toBe(1);
      expect((await listDatasets(database))[0]!.rows).toEqual({ train: 1, eval: 0 });
      const path = join(tmpdir(), `tidegate-store-export-${process.pid}-${target.name}.jsonl`);
      const exported = await exportDataset(database, storageEngine(undefined).scanner, { name: 'all', format: 'openai-sft', split: 'train', path, now: NOW });
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ messages: [{ role: 'user', content: '你好' }, { role: 'assistant', content: 'answer to 你好' }] });
      expect(exported.written).toBe(1);
      rmSync(path, { force: true });
      const purged = await purgeKey(database, 'key_a');
      expect(purged).toEqual({ inferences: 1, feedback: 1, datasetRows: 1 });
      const left = await listInferences(database, { now: NOW });
      expect(left.map((row) => row.apiKeyId)).toEqual(['key_b']);
      expect((await listDatasets(database))[0]!.rows).toEqual({ train: 0, eval: 0 });
    });
  });
}
