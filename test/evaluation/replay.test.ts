import { describe, expect, it } from 'vitest';
import { ChatCallError, type ChatClient } from '../../src/evaluation/chat-client.js';
import { createEvaluator } from '../../src/evaluation/evaluators/index.js';
import type { Evaluator } from '../../src/evaluation/evaluators/types.js';
import { gatewayChatClient } from '../../src/evaluation/gateway-chat-client.js';
import { parseReplayDataset } from '../../src/evaluation/replay-dataset.js';
import { summariseReplay } from '../../src/evaluation/replay-report.js';
import { runReplay } from '../../src/evaluation/replay-run.js';
import { parseEvaluatorSpec } from '../../src/evaluation/spec.js';

const line = (user: string, answer?: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...extra, messages: [{ role: 'system', content: 'grade' }, { role: 'user', content: user }, ...(answer === undefined ? [] : [{ role: 'assistant', content: answer }])] });

describe('replay dataset (OpenAI SFT JSONL)', () => {
  it('takes the last assistant message as the reference and the rest as the prompt', () => {
    const items = parseReplayDataset([line('essay one', '85', { id: 'e1' }), '', line('essay two')].join('\n'));
    expect(items).toEqual([
      { id: 'e1', line: 1, prompt: [{ role: 'system', content: 'grade' }, { role: 'user', content: 'essay one' }], reference: '85' },
      { id: 'line 3', line: 3, prompt: [{ role: 'system', content: 'grade' }, { role: 'user', content: 'essay two' }], reference: undefined },
    ]);
  });

  it('accepts text parts, and names the line and field of a bad one', () => {
    const parts = JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }, { role: 'assistant', content: 'c' }] });
    expect(parseReplayDataset(parts)[0]!.prompt[0]!.content).toBe('ab');
    expect(() => parseReplayDataset(`${line('x', '1')}\n{"messages":[]}`, 'd.jsonl')).toThrow('d.jsonl line 2: expected {"messages": [...]} with at least one message');
    expect(() => parseReplayDataset('{"messages":[{"role":"robot","content":"x"}]}')).toThrow('messages[0].role must be');
    expect(() => parseReplayDataset('{"messages":[{"role":"user","content":[{"type":"image_url"}]}]}')).toThrow('messages[0].content must be text');
    expect(() => parseReplayDataset('{"messages":[{"role":"system","content":"s"},{"role":"assistant","content":"a"}]}')).toThrow('no user message');
    expect(() => parseReplayDataset('\n\n')).toThrow('no items');
  });
});

/** A fake gateway: answers "Score: N" where N is derived from the prompt and model, after a short random delay. */
function fakeGateway(grade: (prompt: string, model: string) => number | Error): { client: ChatClient; inFlightMax: () => number } {
  let inFlight = 0;
  let max = 0;
  return {
    inFlightMax: () => max,
    client: {
      async complete(request) {
        inFlight += 1;
        max = Math.max(max, inFlight);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        inFlight -= 1;
        const value = grade(request.messages.at(-1)!.content, request.model);
        if (value instanceof Error) throw value;
        return { content: `Score: ${value}`, servedBy: request.model, costCny: 0.01, requestId: undefined, latencyMs: 3 };
      },
    },
  };
}

const within5 = createEvaluator(parseEvaluatorSpec({ kind: 'numeric', tolerance: 5 }));
const items = parseReplayDataset(Array.from({ length: 30 }, (_, i) => line(`essay ${i}`, String(60 + i), { id: `e${i}` })).join('\n'));

describe('replay run and summary', () => {
  it('runs concurrently but returns outcomes in item order, one per item and model', async () => {
    const { client, inFlightMax } = fakeGateway((prompt, model) => 60 + Number(prompt.split(' ')[1]) + (model === 'light' ? 8 : 1));
    const progress: number[] = [];
    const outcomes = await runReplay({ items, models: ['light', 'flagship'], client, evaluator: within5, concurrency: 5, onProgress: (done) => progress.push(done) });
    expect(inFlightMax()).toBe(5);
    expect(outcomes.map((outcome) => `${outcome.item}/${outcome.model}`).slice(0, 4)).toEqual(['e0/light', 'e0/flagship', 'e1/light', 'e1/flagship']);
    expect(progress.at(-1)).toBe(60);
    const summary = summariseReplay(outcomes, { evaluator: within5.description, binary: true, candidate: 'light', incumbent: 'flagship' });
    expect(summary.models.map((model) => [model.model, model.passed, model.scored, model.costCny])).toEqual([['light', 0, 30, 0.3], ['flagship', 30, 30, 0.3]]);
    expect(summary.comparison).toMatchObject({ pairs: 30, promote: false, difference: { mean: -1, lower: -1, upper: -1 } });
  });

  it('a failed call scores 0 (the user got no answer); a failed evaluation is left out of the statistics and the pairs', async () => {
    const { client } = fakeGateway((prompt, model) => (model === 'light' && prompt === 'essay 3' ? new ChatCallError('502 upstream_unavailable: down', 'upstream_unavailable', 502) : 60 + Number(prompt.split(' ')[1])));
    const flaky: Evaluator = {
      description: 'flaky',
      binary: true,
      async evaluate(input) {
        if (input.prompt.at(-1)!.content === 'essay 4') throw new Error('judge said nothing');
        return within5.evaluate(input);
      },
    };
    const outcomes = await runReplay({ items, models: ['light', 'flagship'], client, evaluator: flaky, concurrency: 3 });
    expect(outcomes.find((outcome) => outcome.item === 'e3' && outcome.model === 'light')).toMatchObject({ callError: { code: 'upstream_unavailable' }, evaluation: { score: 0, passed: false } });
    const summary = summariseReplay(outcomes, { evaluator: 'flaky', binary: true, candidate: 'light', incumbent: 'flagship', cutoff: 0.9 });
    expect(summary.models[0]).toMatchObject({ scored: 29, passed: 28, callErrors: 1, evaluationErrors: 1 });
    expect(summary.models[1]).toMatchObject({ scored: 29, passed: 29, callErrors: 0, evaluationErrors: 1 });
    expect(summary.comparison?.pairs).toBe(29);
    expect(summary.gate).toMatchObject({ cutoff: 0.9, passed: false });
    expect(summary.gate!.reason).toMatch(/^light: lower 95% bound 0\.8\d+ < cutoff 0\.9$/);
  });
});

describe('stopping a replay early', () => {
  it('hands items over in file order, starts no item after "stop", and returns only whole items', async () => {
    const { client } = fakeGateway((prompt) => 60 + Number(prompt.split(' ')[1]));
    const seen: string[] = [];
    const outcomes = await runReplay({
      items,
      models: ['light', 'flagship'],
      client,
      evaluator: within5,
      concurrency: 3,
      onItem: (item) => {
        seen.push(item.map((outcome) => `${outcome.item}/${outcome.model}`).join(' '));
        return seen.length === 5 ? 'stop' : undefined;
      },
    });
    expect(seen).toEqual(['e0/light e0/flagship', 'e1/light e1/flagship', 'e2/light e2/flagship', 'e3/light e3/flagship', 'e4/light e4/flagship']);
    const replayed = new Set(outcomes.map((outcome) => outcome.item));
    expect(replayed.size).toBeGreaterThanOrEqual(5);
    expect(replayed.size).toBeLessThanOrEqual(7); // at most the calls already in flight finish
    expect(outcomes).toHaveLength(replayed.size * 2);
  });
});

describe('gateway chat client', () => {
  it('sends the priority and headers, retries 429 and 5xx, and reads the Tidegate headers', async () => {
    const seen: Array<{ url: string; headers: Record<string, string>; body: unknown }> = [];
    const replies = [
      new Response(JSON.stringify({ error: { message: 'busy', code: 'queue_full' } }), { status: 429, headers: { 'retry-after': '0' } }),
      new Response(JSON.stringify({ choices: [{ message: { content: 'Score: 90' } }] }), { status: 200, headers: { 'x-tidegate-model': 'qwen-flash', 'x-tidegate-cost-cny': '0.00012', 'x-tidegate-request-id': 'req_1' } }),
    ];
    const fetchFake = (async (url: string, init: RequestInit) => {
      seen.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
      return replies.shift()!;
    }) as unknown as typeof fetch;
    const client = gatewayChatClient({ url: 'http://gw:8080/v1/', apiKey: 'tg-1', headers: { 'x-tidegate-cache': 'bypass' }, fetch: fetchFake, retryDelayMs: 1 });
    const answer = await client.complete({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 0 });
    expect(answer).toMatchObject({ content: 'Score: 90', servedBy: 'qwen-flash', costCny: 0.00012, requestId: 'req_1' });
    expect(seen).toHaveLength(2);
    expect(seen[0]!.url).toBe('http://gw:8080/v1/chat/completions');
    expect(seen[0]!.headers).toMatchObject({ authorization: 'Bearer tg-1', 'x-tidegate-priority': 'standard', 'x-tidegate-cache': 'bypass' });
    expect(seen[0]!.body).toEqual({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 0, stream: false });
  });

  it('does not retry a client error, and refuses a deferred (202) answer', async () => {
    let calls = 0;
    const once = (response: () => Response) => (async () => ((calls += 1), response())) as unknown as typeof fetch;
    const notFound = gatewayChatClient({ url: 'http://gw', fetch: once(() => new Response(JSON.stringify({ error: { message: 'No configured model has this name.', code: 'model_not_found' } }), { status: 404 })) });
    await expect(notFound.complete({ model: 'x', messages: [] })).rejects.toMatchObject({ code: 'model_not_found', status: 404, message: '404 model_not_found: No configured model has this name.' });
    expect(calls).toBe(1);
    const deferred = gatewayChatClient({ url: 'http://gw', priority: 'deferrable', fetch: once(() => new Response('{"status":"queued"}', { status: 202 })) });
    await expect(deferred.complete({ model: 'x', messages: [] })).rejects.toMatchObject({ code: 'deferred' });
  });
});
