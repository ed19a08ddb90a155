import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/flywheel/dataset-builder.js';
import { feedbackFor } from '../../src/flywheel/feedback-store.js';
import { listInferences } from '../../src/flywheel/inference-store.js';
import { exportRouterLabels } from '../../src/flywheel/router-labels.js';
import { parseConfigText } from '../../src/config/index.js';
import { openDatabase, type Database } from '../../src/storage/index.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

/** Shadowing: a light-model call is answered again by the flagship as deferred work, judged, and becomes labels and teacher data. */
const PHONE = '13812345678';
let stack: Stack;
let client: OpenAI;
let database: Database;
let keyId: string;

beforeAll(async () => {
  stack = await startStack((simulator) => `
admin: { key: admin-secret }
capture:
  scenarios: [support]
  flushIntervalMs: 10
  shadow: { share: 1, flagship: deepseek-v4-pro, judge: { kind: llm_judge, model: deepseek-v4-pro, rubric: "Does it answer the question?" } }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
`, { router: null });
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: 'Bearer admin-secret', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'support-bot' }) });
  keyId = created.json.id;
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: created.json.key, maxRetries: 0 });
  database = await openDatabase(`sqlite:${join(stack.dir, 'tidegate.db')}`);
});
afterAll(async () => {
  await database?.close();
  await stack?.close();
});

describe('shadowing light calls with the flagship', () => {
  it('queues a deferred flagship job, judges both answers, stores the verdict and the teacher answer, and exports a label', async () => {
    const { services } = stack.gateway;
    const flywheel = services.flywheel!;
    stack.simulator.script('deepseek', [
      { kind: 'ok', content: '合同第七条优先。' }, // a call the flagship served: never shadowed
      { kind: 'ok', content: '请自行查询。' }, // the light answer the client gets
      { kind: 'ok', content: `三笔订单合计运费 18 元，手机 ${PHONE} 已登记。` }, // the flagship's shadow answer
      { kind: 'ok', content: '{"reason": "does not answer", "score": 2}' }, // the judge on the light answer
      { kind: 'ok', content: '{"reason": "answers it", "score": 9}' }, // the judge on the flagship answer
    ]);
    await client.chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: '合同第七条和第九条冲突吗？' }] }, { headers: { 'x-tidegate-scenario': 'support' } });
    const { data, response } = await client.chat.completions
      .create({ model: 'deepseek-flash', messages: [{ role: 'user', content: `帮我查手机 ${PHONE} 的三笔订单的合计运费` }] }, { headers: { 'x-tidegate-scenario': 'support' } })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('请自行查询。'); // the client is answered by the light model, at once
    const lightId = response.headers.get('x-tidegate-request-id')!;
    await flywheel.writer.flush();
    await flywheel.shadow!.idle();

    const jobs = await database.db.selectFrom('jobs').selectAll().execute();
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job).toMatchObject({ custom_id: `shadow:${lightId}`, model: 'deepseek-v4-pro', scenario: 'support', batch_id: null, api_key_id: keyId }); // the caller's key: its budgets apply
    expect(job.body).not.toContain(PHONE); // the job carries the captured, masked prompt
    expect(JSON.parse(job.body).messages).toEqual([{ role: 'user', content: '帮我查手机 [PHONE] 的三笔订单的合计运费' }]);

    // the job runs in its window through the runner; then the verdict is judged
    await services.deferred!.runner.tick();
    await services.deferred!.runner.idle();
    const ran = await database.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(ran.status).toBe('succeeded');
    expect(await flywheel.shadow!.tick()).toBe(1);
    expect(await flywheel.shadow!.tick()).toBe(0); // judged once
    const after = await database.db.selectFrom('jobs').select('result').where('id', '=', job.id).executeTakeFirstOrThrow();
    expect(JSON.parse(after.result!)).toEqual({ object: 'shadow', inference_id: lightId, teacher_inference_id: ran.request_id }); // no unmasked answer left in the job

    const verdicts = await feedbackFor(database, [lightId], ['shadow_verdict']);
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]!.value_number).toBeCloseTo(0.2 - 0.9, 6);
    const inferences = await listInferences(database, { now: Date.now() });
    const teacher = inferences.find((row) => row.tier === 'flagship' && row.modelRequested === 'deepseek-v4-pro' && row.id === ran.request_id)!;
    expect(teacher).toMatchObject({ id: ran.request_id, modelServed: 'deepseek-v4-pro', output: '三笔订单合计运费 18 元，手机 [PHONE] 已登记。' });
    expect(inferences).toHaveLength(3); // the flagship call, the light call and the teacher answer: the judge's calls are not captured
    // the shadow answer and both judge calls are billed to the caller's key, the shadow as deferrable work
    await new Promise((resolve) => setTimeout(resolve, 50));
    const billed = await database.db.selectFrom('request_log').select(['api_key_id', 'model_requested', 'priority']).where('model_requested', '=', 'deepseek-v4-pro').execute();
    expect(billed).toHaveLength(4); // the client's flagship call, the shadow answer and two judge calls
    expect(billed.every((row) => row.api_key_id === keyId)).toBe(true);
    expect(billed.filter((row) => row.priority === 'deferrable')).toHaveLength(1);

    const config = parseConfigText(`storage: { url: "sqlite:${join(stack.dir, 'tidegate.db')}" }\n`, 'x.yaml', {});
    const built = await buildDataset(database, config.flywheel, { name: 'distill', scenario: 'support', curate: ['flagship'], evalShare: 0 }, Date.now());
    expect(built.selected.flagship).toBe(2); // the teacher answer and the flagship call

    const path = join(stack.dir, 'labels.jsonl');
    const report = await exportRouterLabels(database, config.flywheel, { scenario: 'support' }, path, Date.now());
    expect(report.cases.shadow).toBe(1);
    const [label] = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(label).toMatchObject({ id: lightId, flagship_score: 1, light_score: 0.3, weight: 1 });
  });
});
