/**
 * AIGC labels (标识办法, GB 45438-2025) and filing records through the gateway, with the official clients:
 * the explicit label in whole and streamed answers of both APIs, exactly once, also on cache replays; the
 * implicit `AIGC` metadata in the body and the x-tidegate-aigc header; upstream labels kept byte for byte;
 * unlabelled answers audit-logged for six months; requireFiled skips or refuses unfiled models.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAigcMetadata, type AigcMetadata } from '../../src/aigc/metadata.js';
import { raw, simulatedProvider, startStack, type Stack } from './harness.js';

const LABEL = '（本回答由AI生成）';
const signingKey = 'aigc-signing-key-for-tests';
const propagator = 'tidegate-e2e';
let stack: Stack;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  stack = await startStack((simulator) => `
cache:
  exact: { enabled: true, ttlSeconds: 600 }
aigc:
  label: { position: end, text: "${LABEL}" }
  allowUnlabelled: true
  propagator: ${propagator}
  signingKey: ${signingKey}
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-flash, provider: deepseek, filing: TEST-FILING-0001 }
  - { id: qwen-plus, provider: qwen }
routes:
  - { id: filed-only, light: [qwen-plus, deepseek-flash], flagship: [qwen-plus, deepseek-flash], requireFiled: true }
  - { id: unfiled-only, light: [qwen-plus], flagship: [qwen-plus], requireFiled: true }
`, { router: null });
  openai = stack.openai;
  anthropic = new Anthropic({ baseURL: stack.gateway.url, apiKey: 'unused', maxRetries: 0 });
});
afterAll(async () => stack?.close());

let counter = 0;
const question = () => `用一句话介绍杭州 #${++counter}`;
const count = (text: string, part: string) => text.split(part).length - 1;
const metadataOf = (headers: Headers): AigcMetadata => JSON.parse(headers.get('x-tidegate-aigc')!) as AigcMetadata;

function expectMetadata(metadata: AigcMetadata, headers: Headers): void {
  expect(Object.keys(metadata).sort()).toEqual(['ContentProducer', 'ContentPropagator', 'Label', 'ProduceID', 'PropagateID', 'ReservedCode1', 'ReservedCode2']);
  expect(metadata.Label).toBe('1');
  expect(metadata.ContentPropagator).toBe(propagator);
  expect(metadata.PropagateID).toBe(headers.get('x-tidegate-request-id'));
  expect(metadata.ProduceID).not.toBe('');
  expect(verifyAigcMetadata(metadata, signingKey)).toBe(true);
}

describe('explicit and implicit labels', () => {
  it('labels a whole answer once and carries the AIGC metadata in the body and a header', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }] }).withResponse();
    const content = data.choices[0]!.message.content!;
    expect(content.endsWith(LABEL)).toBe(true);
    expect(count(content, LABEL)).toBe(1);
    const body = (data as unknown as { AIGC: AigcMetadata }).AIGC;
    expect(body).toEqual(metadataOf(response.headers));
    expectMetadata(body, response.headers);
    expect(body.ContentProducer).toBe('deepseek');
  });

  it('puts the label in a streamed answer, once, before the stream ends', async () => {
    const { data: stream, response } = await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }], stream: true }).withResponse();
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content.endsWith(LABEL)).toBe(true);
    expect(count(content, LABEL)).toBe(1);
    expectMetadata(metadataOf(response.headers), response.headers);
  });

  it('labels /v1/messages answers, whole and streamed', async () => {
    const { data: message, response } = await anthropic.messages.create({ model: 'deepseek-flash', max_tokens: 200, messages: [{ role: 'user', content: question() }] }).withResponse();
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text.endsWith(LABEL)).toBe(true);
    expect(count(text, LABEL)).toBe(1);
    expectMetadata((message as unknown as { AIGC: AigcMetadata }).AIGC, response.headers);

    let streamed = '';
    const stream = anthropic.messages.stream({ model: 'deepseek-flash', max_tokens: 200, messages: [{ role: 'user', content: question() }] });
    for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') streamed += event.delta.text;
    expect(streamed.endsWith(LABEL)).toBe(true);
    expect(count(streamed, LABEL)).toBe(1);
  });

  it('keeps the label on exact-cache replays, whole and streamed, without doubling it', async () => {
    for (const stream of [false, true]) {
      const body = { model: 'deepseek-flash', temperature: 0, messages: [{ role: 'user' as const, content: question() }] };
      const read = async () => {
        if (!stream) {
          const { data, response } = await openai.chat.completions.create(body).withResponse();
          return { text: data.choices[0]!.message.content!, headers: response.headers };
        }
        const { data, response } = await openai.chat.completions.create({ ...body, stream: true }).withResponse();
        let text = '';
        for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
        return { text, headers: response.headers };
      };
      const fresh = await read();
      const replay = await read();
      expect(replay.headers.get('x-tidegate-cache')).toBe('hit');
      expect(replay.text).toBe(fresh.text);
      expect(count(replay.text, LABEL)).toBe(1);
      expectMetadata(metadataOf(replay.headers), replay.headers);
    }
  });

  it('never strips or alters a label the upstream put in the text', async () => {
    const upstream = '【AI生成】\u200b杭州是浙江省会。\u200d本内容由人工智能生成';
    stack.simulator.script('deepseek', [{ kind: 'ok', content: upstream }, { kind: 'ok', content: upstream }]);
    const plain = await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }] });
    expect(plain.choices[0]!.message.content).toBe(upstream + LABEL);
    let streamed = '';
    for await (const chunk of await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }], stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
    expect(streamed).toBe(upstream + LABEL);
  });
});

describe('unlabelled answers', () => {
  it('leaves the explicit label out when the client asks, keeps the metadata, and audit-logs it for at least six months', async () => {
    const audit = stack.gateway.services.aigc!.audit!;
    await audit.flush();
    const before = (await audit.recent(1000)).length;
    const labelled = await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }] }).withResponse();
    const { data, response } = await openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: question() }] }, { headers: { 'x-tidegate-aigc-label': 'off' } }).withResponse();
    expect(data.choices[0]!.message.content).not.toContain(LABEL);
    expectMetadata(metadataOf(response.headers), response.headers);
    await audit.flush();
    const rows = await audit.recent(1000);
    expect(rows.length).toBe(before + 1);
    const row = rows.find((r) => r.requestId === response.headers.get('x-tidegate-request-id'))!;
    expect(row).toMatchObject({ event: 'aigc_unlabelled', model: 'deepseek-flash', provider: 'deepseek', reason: 'client asked for no explicit label' });
    expect(row.expiresAt - row.at).toBeGreaterThanOrEqual(183 * 24 * 3_600_000);
    expect(rows.some((r) => r.requestId === labelled.response.headers.get('x-tidegate-request-id'))).toBe(false);
    const listed = await raw(stack, '/admin/privacy-audit?limit=5');
    expect(listed.status).toBe(200);
    expect(listed.json.data[0]).toMatchObject({ requestId: row.requestId, reason: row.reason, expiresAt: row.expiresAt });
  });
});

describe('filing records', () => {
  it('shows filing numbers in /v1/models (unknown stays null)', async () => {
    const models = await raw(stack, '/v1/models');
    const byId = new Map((models.json.data as Array<{ id: string; tidegate: { filing?: string | null; require_filed?: boolean } }>).map((m) => [m.id, m.tidegate]));
    expect(byId.get('deepseek-flash')!.filing).toBe('TEST-FILING-0001');
    expect(byId.get('qwen-plus')!.filing).toBeNull();
    expect(byId.get('filed-only')!.require_filed).toBe(true);
  });

  it('skips unfiled candidates of a requireFiled route and names the filing in a header', async () => {
    const { response } = await openai.chat.completions.create({ model: 'filed-only', messages: [{ role: 'user', content: question() }] }).withResponse();
    expect(response.headers.get('x-tidegate-model')).toBe('deepseek-flash');
    expect(response.headers.get('x-tidegate-model-filing')).toBe('TEST-FILING-0001');
  });

  it('refuses a requireFiled route without a filed model, with a stable code and nothing sent upstream', async () => {
    const before = stack.simulator.requests.length;
    const error = await openai.chat.completions.create({ model: 'unfiled-only', messages: [{ role: 'user', content: question() }] }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_filed');
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('qwen-plus');
    expect(stack.simulator.requests.length).toBe(before);
  });
});
