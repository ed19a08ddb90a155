import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { insertFeedback } from '../../src/flywheel/feedback-store.js';
import { insertInferences, type InferenceRow } from '../../src/flywheel/inference-store.js';
import { promptHash } from '../../src/flywheel/prompt-hash.js';
import { routerLabels } from '../../src/flywheel/router-labels.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';

let dir: string;
let database: Database;
const now = Date.now();
const config = parseConfigText(`metrics:\n  grade_error: { type: float, optimize: min }\n  done: { type: boolean, optimize: max, level: episode }\n`, 'labels.yaml', {});

function row(prompt: string, tier: string, i: number, episodeId?: string): InferenceRow {
  const messages = [{ role: 'user' as const, content: prompt }];
  const id = uuidv7(now - 1000 + i);
  return {
    id, episodeId: episodeId ?? id, createdAt: now - 1000 + i, expiresAt: now + 86_400_000, apiKeyId: null, scenario: 'grading', modelRequested: 'auto', modelServed: tier === 'light' ? 'flash' : 'pro',
    provider: 'deepseek', tier, stream: false, finishReason: 'stop', input: { messages, params: {}, images: 0, tools: 0 }, output: 'answer', promptHash: promptHash(messages),
    inputTokens: 1, outputTokens: 1, costNanoCny: 1, configHash: 'x',
  };
}
async function score(target: string, metric: string, value: number, type: 'inference' | 'episode' = 'inference') {
  await insertFeedback(database, { id: uuidv7(), target_type: type, target_id: target, metric, kind: metric === 'shadow_verdict' || metric === 'grade_error' ? 'float' : 'boolean', value_number: value, value_text: null, api_key_id: null, created_at: now, expires_at: now + 86_400_000, dedupe_key: `${target}-${metric}-${value}`, payload_hash: 'h' });
}

const rows = [row('a', 'light', 0), row('b', 'light', 1), row('c', 'flagship', 2), row('d', 'light', 3), row('e', 'light', 4), row('f', null as unknown as string, 5)];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-labels-'));
  database = await openDatabase(`sqlite:${join(dir, 'labels.db')}`);
  await migrate(database);
  await insertInferences(database, rows);
  await score(rows[0]!.id, 'grade_error', 2); // within 5: good
  await score(rows[1]!.id, 'grade_error', 12); // bad
  await score(rows[2]!.id, 'grade_error', 1); // flagship good
  await score(rows[3]!.id, 'shadow_verdict', 0.25); // the light answer judged better by 0.25
  await score(rows[4]!.episodeId, 'done', 1, 'episode');
  await score(rows[5]!.id, 'grade_error', 1);
});
afterAll(async () => {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('router labels from captured feedback', () => {
  it('maps a float metric through its threshold, imputes the unobserved side from the tier rate, and reads shadow verdicts', async () => {
    const { labels, report } = await routerLabels(database, config.flywheel, { metric: 'grade_error', threshold: 5 }, now);
    expect(report.cases).toEqual({ light_good: 1, light_bad: 1, flagship_good: 1, flagship_bad: 0, shadow: 1 });
    // light: 1 good of 2 → (1 + 1) / (2 + 2); flagship: 1 of 1 → 2 / 3
    expect(report.rates).toEqual({ grading: { light: 0.5, flagship: 0.6667 } });
    const byPrompt = Object.fromEntries(labels.map((label) => [label.messages[0]!.content, [label.flagship_score, label.light_score, label.weight]]));
    expect(byPrompt).toEqual({ a: [1, 1, 0.5], b: [0.6667, 0, 0.5], c: [1, 0.5, 0.5], d: [0.75, 1, 1] });
    expect(report.skipped).toEqual({ 'no grade_error feedback': 1, 'served by a model with no light or flagship tier': 1 });
  });

  it('uses episode-level feedback for the inferences of the episode, and asks for a threshold on a float metric', async () => {
    const { labels } = await routerLabels(database, config.flywheel, { metric: 'done' }, now);
    expect(labels.filter((label) => label.light_score === 1 && label.flagship_score === 1).map((label) => label.messages[0]!.content)).toEqual(['e']);
    await expect(routerLabels(database, config.flywheel, { metric: 'grade_error' }, now)).rejects.toThrow('give --threshold');
    await expect(routerLabels(database, config.flywheel, { metric: 'comment' }, now)).rejects.toThrow('not a boolean or float metric');
  });

  it('uses the one boolean metric when none is named, and asks which when there are several', async () => {
    const named = await routerLabels(database, config.flywheel, { metric: 'done' }, now);
    const implied = await routerLabels(database, config.flywheel, {}, now); // grade_error is a float: done is the only boolean
    expect(implied.labels).toEqual(named.labels);
    const two = parseConfigText(`metrics:\n  done: { type: boolean, optimize: max }\n  liked: { type: boolean, optimize: max }\n`, 'two.yaml', {});
    const { labels } = await routerLabels(database, two.flywheel, {}, now); // only shadow verdicts count then
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((label) => label.weight === 1)).toBe(true);
  });
});
