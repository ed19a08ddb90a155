import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/flywheel/dataset-builder.js';
import { exportDataset } from '../../src/flywheel/dataset-export.js';
import { listInferences } from '../../src/flywheel/inference-store.js';
import { openDatabase, type Database } from '../../src/storage/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simulatedProvider, startStack, type Stack } from './harness.js';

/** A valid resident ID (MOD 11-2) and a mobile number. */
const ID = '11010519491231002X';
const PHONE = '13812345678';
let stack: Stack;
let client: OpenAI;
let database: Database;

beforeAll(async () => {
  stack = await startStack((simulator) => `
privacy:
  secret: test-secret-at-least-16-chars
capture:
  scenarios: { support: { retentionDays: 7 } }
  routes: [deepseek-v4-pro]
  flushIntervalMs: 10
metrics:
  helpful: { type: boolean, optimize: max }
  grade_error: { type: float, optimize: min }
  task_success: { type: boolean, optimize: max, level: episode }
scenarios:
  support: { priority: interactive, quality: { metric: helpful, target: 0.9, evaluator: { kind: llm-judge, model: deepseek-v4-pro, rubric: "Does it recognise the customer's intent?" } } }
  grading: { quality: { metric: grade_error, target: 5, evaluator: { kind: numeric, tolerance: 5 } } }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
`, { router: null });
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
  database = await openDatabase(`sqlite:${join(stack.dir, 'tidegate.db')}`);
});
afterAll(async () => {
  await database?.close();
  await stack?.close();
});

const feedback = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${stack.gateway.url}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

async function ask(content: string, headers: Record<string, string>, model = 'deepseek-flash', stream = false) {
  if (stream) {
    const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }], stream: true }, { headers }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    return { text, id: response.headers.get('x-tidegate-request-id')!, episode: response.headers.get('x-tidegate-episode-id')! };
  }
  const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content }] }, { headers }).withResponse();
  return { text: data.choices[0]!.message.content ?? '', id: response.headers.get('x-tidegate-request-id')!, episode: response.headers.get('x-tidegate-episode-id')! };
}

const flushed = () => stack.gateway.services.flywheel!.writer.flush();

describe('learning from traffic', () => {
  it('captures opted-in calls with personal data masked, streamed or not, and nothing else', async () => {
    stack.simulator.script('deepseek', [{ kind: 'ok', content: `好的，已为手机 ${PHONE} 的客户办理。` }]);
    const plain = await ask(`我的身份证是 ${ID}，手机 ${PHONE}，帮我改地址`, { 'x-tidegate-scenario': 'support' });
    expect(plain.text).toContain(PHONE); // the client still sees the real values
    expect(plain.episode).toBe(plain.id); // no episode header: the call is an episode of its own
    const streamed = await ask(`请回拨 ${PHONE}`, { 'x-tidegate-scenario': 'support' }, 'deepseek-flash', true);
    const notOptedIn = await ask('天气如何', {});
    await flushed();

    const rows = await listInferences(database, { now: Date.now() });
    expect(rows.map((row) => row.id).sort()).toEqual([plain.id, streamed.id].sort());
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(PHONE);
    expect(stored).not.toContain(ID);
    const first = rows.find((row) => row.id === plain.id)!;
    expect(first.input.messages[0]!.content).toBe('我的身份证是 [ID_CARD]，手机 [PHONE]，帮我改地址');
    expect(first.output).toBe('好的，已为手机 [PHONE] 的客户办理。');
    expect(first.expiresAt - first.createdAt).toBe(7 * 86_400_000);
    expect(streamed.text).toContain(PHONE);
    expect(rows.find((row) => row.id === streamed.id)!.output).toBe(streamed.text.replace(PHONE, '[PHONE]'));

    const missing = await feedback({ inference_id: notOptedIn.id, metric: 'helpful', value: true });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('inference_not_found');
  });

  it('groups calls into episodes by x-tidegate-episode-id and rejects ids that are not UUIDs', async () => {
    const step1 = await ask('第一步', { 'x-tidegate-scenario': 'support' });
    const step2 = await ask('第二步', { 'x-tidegate-scenario': 'support', 'x-tidegate-episode-id': step1.episode });
    expect(step2.episode).toBe(step1.episode);
    await expect(ask('x', { 'x-tidegate-episode-id': 'not-a-uuid' })).rejects.toMatchObject({ status: 400, code: 'invalid_episode_id' });

    const done = await feedback({ episode_id: step1.episode, metric: 'task_success', value: true });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ object: 'feedback', episode_id: step1.episode, metric: 'task_success', duplicate: false });
    const wrongLevel = await feedback({ inference_id: step2.id, metric: 'task_success', value: true });
    expect(wrongLevel.json.error.code).toBe('feedback_level_mismatch');
    const unknownEpisode = await feedback({ episode_id: '01900000-0000-7000-8000-000000000000', metric: 'task_success', value: true });
    expect([unknownEpisode.status, unknownEpisode.json.error.code]).toEqual([404, 'episode_not_found']);
  });

  it('records typed feedback once, whether retried with the same payload or the same idempotency key', async () => {
    const call = await ask('这篇作文几分？', { 'x-tidegate-scenario': 'grading' }, 'deepseek-v4-pro');
    const first = await feedback({ inference_id: call.id, metric: 'helpful', value: true });
    const again = await feedback({ inference_id: call.id, metric: 'helpful', value: true });
    expect(first.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    expect([first.json.duplicate, again.json.duplicate]).toEqual([false, true]);

    const keyed = await feedback({ inference_id: call.id, metric: 'grade_error', value: 3 }, { 'idempotency-key': 'grade-1' });
    const retried = await feedback({ inference_id: call.id, metric: 'grade_error', value: 3 }, { 'idempotency-key': 'grade-1' });
    expect(retried.json.id).toBe(keyed.json.id);
    const reused = await feedback({ inference_id: call.id, metric: 'grade_error', value: 9 }, { 'idempotency-key': 'grade-1' });
    expect([reused.status, reused.json.error.code]).toEqual([409, 'idempotency_key_reused']);

    const wrongType = await feedback({ inference_id: call.id, metric: 'helpful', value: 'yes' });
    expect([wrongType.status, wrongType.json.error.code]).toEqual([400, 'invalid_feedback_value']);
    const unknown = await feedback({ inference_id: call.id, metric: 'stars', value: 5 });
    expect([unknown.status, unknown.json.error.code]).toEqual([400, 'unknown_metric']);
    const both = await feedback({ inference_id: call.id, episode_id: call.episode, metric: 'helpful', value: true });
    expect([both.status, both.json.error.code]).toEqual([400, 'invalid_request']);

    // A demonstration (the ideal answer) is masked like everything else that is stored.
    const demo = await feedback({ inference_id: call.id, metric: 'demonstration', value: `85 分。联系老师 ${PHONE}` });
    expect(demo.status).toBe(200);
    const comment = await feedback({ inference_id: call.id, metric: 'comment', value: '评分偏高' });
    expect(comment.status).toBe(200);
  });

  it('turns captured traffic into a deduplicated, split, schema-checked export with no personal data', async () => {
    for (const prompt of ['退货流程？', '退货流程?', '  退货流程？ ', '发票怎么开？']) {
      const call = await ask(prompt, { 'x-tidegate-scenario': 'support' }, 'deepseek-v4-pro');
      await feedback({ inference_id: call.id, metric: 'helpful', value: true });
    }
    await flushed();
    const report = await buildDataset(database, stack.config.flywheel, { name: 'support-v1', scenario: 'support', curate: ['demonstrations', 'feedback'], evalShare: 0 }, Date.now());
    // '退货流程？' and '  退货流程？ ' normalise to one prompt; '退货流程?' has a half-width question mark, which NFKC also folds.
    expect(report.duplicates).toBe(2);
    expect(report.selected.feedback).toBe(2);

    const path = join(stack.dir, 'support.jsonl');
    const exported = await exportDataset(database, stack.gateway.services.flywheel!.engine.scanner, { name: 'support-v1', format: 'openai-sft', split: 'train', path, now: Date.now() });
    expect(exported.written).toBe(2);
    expect(exported.personalData).toEqual({ linesScanned: 2, findings: 0, withheld: 0 });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    for (const line of lines) expect(line.messages.at(-1).role).toBe('assistant');
    // Of the three ways of writing one question, the newest is kept.
    expect(lines.map((line) => line.messages[0].content).sort()).toEqual(['  退货流程？ ', '发票怎么开？'].sort());

    const graded = await buildDataset(database, stack.config.flywheel, { name: 'grading-dpo', scenario: 'grading', curate: ['demonstrations'], evalShare: 0 }, Date.now());
    expect(graded.selected.demonstration).toBe(1);
    const dpoPath = join(stack.dir, 'grading-dpo.jsonl');
    const dpo = await exportDataset(database, stack.gateway.services.flywheel!.engine.scanner, { name: 'grading-dpo', format: 'openai-dpo', split: 'train', path: dpoPath, now: Date.now() });
    expect(dpo.written).toBe(1);
    const pair = JSON.parse(readFileSync(dpoPath, 'utf8'));
    expect(pair.preferred_output[0].content).toBe('85 分。联系老师 [PHONE]');
    expect(pair.non_preferred_output[0].content).not.toBe(pair.preferred_output[0].content);
  });
});
