import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, simulatedProvider, startStack, type Stack } from '../e2e/harness.js';
import { FakeCollector, SPAN_KIND, attributes, type OtlpSpan } from './fake-collector.js';

// One gateway exports to a fake collector; it serves a plain, a streamed, a fallback and a cached request,
// then closes (which must flush both exporters), and the test reads what a Jaeger/Tempo/Langfuse user would.
const adminKey = 'admin-secret-otel-tests';
const collectorToken = 'collector-token-otel-tests';
const PROMPT_MARKER = 'PROMPT-MARKER-7f3a';
const incomingTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const incomingParentId = '00f067aa0ba902b7';

let stack: Stack;
let collector: FakeCollector;
let client: OpenAI;
let virtualKey: string;
const answers: string[] = [];
const seen: Record<'plain' | 'stream' | 'fallback' | 'cached' | 'cachedFirst', { requestId: string; body?: any }> = {} as never;

const question = (text: string) => ({ model: 'deepseek-flash', temperature: 0, messages: [{ role: 'user' as const, content: `${PROMPT_MARKER} ${text}` }] });

beforeAll(async () => {
  collector = await FakeCollector.start();
  stack = await startStack((simulator) => `
admin: { key: ${adminKey} }
cache:
  exact: { enabled: true, ttlSeconds: 600 }
telemetry:
  otlp:
    endpoint: ${collector.url}
    headers: { authorization: "Bearer ${collectorToken}" }
    serviceName: tidegate-under-test
    exportIntervalMs: 600000
providers:${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'qwen')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light, fallbacks: [qwen-max] }
  - { id: qwen-max, provider: qwen, tier: flagship }
`);
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: JSON.stringify({ name: 'otel-user' }) });
  virtualKey = created.json.key;
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: virtualKey, maxRetries: 0 });

  // 1. plain, continuing the caller's trace
  const plain = await client.chat.completions.create({ ...question('plain'), max_tokens: 64 }, { headers: { traceparent: `00-${incomingTraceId}-${incomingParentId}-01` } }).withResponse();
  seen.plain = { requestId: plain.response.headers.get('x-tidegate-request-id')!, body: plain.data };
  answers.push(plain.data.choices[0]!.message.content ?? '');
  // 2. streamed
  const stream = await client.chat.completions.create({ ...question('streamed'), stream: true, stream_options: { include_usage: true } }).withResponse();
  let streamed = '';
  let usage: any;
  let id = '';
  for await (const chunk of stream.data) {
    streamed += chunk.choices[0]?.delta?.content ?? '';
    id ||= chunk.id;
    if (chunk.usage) usage = chunk.usage;
  }
  answers.push(streamed);
  seen.stream = { requestId: stream.response.headers.get('x-tidegate-request-id')!, body: { id, usage } };
  // 3. fallback: deepseek fails every retry, qwen answers
  stack.simulator.script('deepseek', Array.from({ length: 3 }, () => ({ kind: 'error' as const, status: 500, error: 'server_error' as const })));
  const fallback = await client.chat.completions.create(question('fallback')).withResponse();
  seen.fallback = { requestId: fallback.response.headers.get('x-tidegate-request-id')!, body: fallback.data };
  answers.push(fallback.data.choices[0]!.message.content ?? '');
  // 4. cached: the same question twice, the second from the exact cache
  const first = await client.chat.completions.create(question('cache me')).withResponse();
  const cached = await client.chat.completions.create(question('cache me')).withResponse();
  expect(cached.response.headers.get('x-tidegate-cache')).toMatch(/^hit/);
  seen.cachedFirst = { requestId: first.response.headers.get('x-tidegate-request-id')! };
  seen.cached = { requestId: cached.response.headers.get('x-tidegate-request-id')! };
  await stack.gateway.close(); // must flush the span and metric exporters
});
afterAll(async () => {
  await stack?.close();
  await collector?.close();
});

const spans = () => collector.spans();
const serverSpanOf = (requestId: string): OtlpSpan => {
  const span = spans().find((candidate) => candidate.kind === SPAN_KIND.SERVER && attributes(candidate.attributes)['tidegate.request_id'] === requestId);
  if (!span) throw new Error(`no server span for ${requestId}`);
  return span;
};
const clientSpansOf = (server: OtlpSpan) => spans().filter((span) => span.kind === SPAN_KIND.CLIENT && span.parentSpanId === server.spanId).sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));

describe('OpenTelemetry traces (GenAI semantic conventions)', () => {
  it('sends OTLP/HTTP JSON to the configured endpoint with its headers and the service name', () => {
    const paths = new Set(collector.exports.map((entry) => entry.path));
    expect(paths).toEqual(new Set(['/v1/traces', '/v1/metrics']));
    for (const entry of collector.exports) {
      expect(entry.contentType).toContain('application/json');
      expect(entry.headers.authorization).toBe(`Bearer ${collectorToken}`);
    }
    expect(collector.resources().every((resource) => resource['service.name'] === 'tidegate-under-test')).toBe(true);
  });

  it('a plain request: one SERVER span continuing the caller\'s traceparent, one CLIENT span, GenAI attributes', () => {
    const server = serverSpanOf(seen.plain.requestId);
    expect(server.traceId).toBe(incomingTraceId);
    expect(server.parentSpanId).toBe(incomingParentId);
    expect(server.name).toBe('chat deepseek-flash');
    const a = attributes(server.attributes);
    const usage = seen.plain.body.usage;
    expect(a).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'deepseek',
      'gen_ai.system': 'deepseek',
      'gen_ai.request.model': 'deepseek-flash',
      'gen_ai.response.model': 'deepseek-flash',
      'gen_ai.response.id': seen.plain.body.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': usage.prompt_tokens,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0,
      'http.response.status_code': 200,
      'tidegate.tier': 'light',
      'tidegate.cache': 'miss',
      'tidegate.provider': 'deepseek',
      'tidegate.attempts': 1,
      'tidegate.fallback_used': false,
    });
    expect(a['tidegate.cost_cny']).toBeGreaterThan(0);
    expect(a['tidegate.routing_reason']).toEqual(expect.any(String));
    expect(a['error.type']).toBeUndefined();

    const [attempt, ...others] = clientSpansOf(server);
    expect(others).toHaveLength(0);
    expect(attempt!.traceId).toBe(incomingTraceId);
    expect(attempt!.name).toBe('chat deepseek-flash');
    const c = attributes(attempt!.attributes);
    const upstream = new URL(stack.simulator.baseUrlFor('deepseek'));
    expect(c).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'deepseek',
      'gen_ai.request.model': 'deepseek-flash',
      'gen_ai.response.id': seen.plain.body.id,
      'gen_ai.usage.output_tokens': usage.completion_tokens,
      'server.address': upstream.hostname,
      'server.port': Number(upstream.port),
      'tidegate.attempt': 1,
    });
    // The client span lies within the server span.
    expect(BigInt(attempt!.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(server.startTimeUnixNano));
    expect(BigInt(attempt!.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(server.endTimeUnixNano));
  });

  it('the upstream call carries a traceparent naming its CLIENT span', () => {
    const server = serverSpanOf(seen.plain.requestId);
    const [attempt] = clientSpansOf(server);
    const sent = stack.simulator.requests.map((request) => request.headers.traceparent);
    expect(sent).toContain(`00-${incomingTraceId}-${attempt!.spanId}-01`);
  });

  it('a streamed request: stream flag, time to first chunk, finish reasons and usage from the stream', () => {
    const server = serverSpanOf(seen.stream.requestId);
    expect(server.parentSpanId ?? '').toBe(''); // no traceparent sent: a new root
    const a = attributes(server.attributes);
    expect(a).toMatchObject({
      'gen_ai.request.stream': true,
      'tidegate.stream': true,
      'gen_ai.response.id': seen.stream.body.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': seen.stream.body.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': seen.stream.body.usage.completion_tokens,
    });
    expect(a['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0);
    const [attempt] = clientSpansOf(server);
    expect(attributes(attempt!.attributes)['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(BigInt(attempt!.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(server.endTimeUnixNano));
  });

  it('a fallback: every retry and the fallback are sibling CLIENT spans; failures carry error.type', () => {
    const server = serverSpanOf(seen.fallback.requestId);
    const a = attributes(server.attributes);
    expect(a).toMatchObject({ 'gen_ai.request.model': 'deepseek-flash', 'gen_ai.response.model': 'qwen-max', 'gen_ai.provider.name': 'qwen', 'tidegate.fallback_used': true, 'tidegate.attempts': 4, 'tidegate.tier': 'flagship' });
    expect(a['tidegate.routing_reason']).toContain('fell back to qwen-max');
    expect(a['error.type']).toBeUndefined();
    const attempts = clientSpansOf(server);
    expect(attempts.map((span) => attributes(span.attributes)['tidegate.model'])).toEqual(['deepseek-flash', 'deepseek-flash', 'deepseek-flash', 'qwen-max']);
    expect(attempts.map((span) => attributes(span.attributes)['tidegate.attempt'])).toEqual([1, 2, 3, 4]);
    for (const failed of attempts.slice(0, 3)) {
      expect(attributes(failed.attributes)['error.type']).toBe('upstream_unavailable'); // the catalogue code of an upstream 500
      expect(failed.status?.code).toBe(2); // ERROR
    }
    expect(attributes(attempts[3]!.attributes)).toMatchObject({ 'gen_ai.provider.name': 'qwen', 'gen_ai.response.id': seen.fallback.body.id });
    expect(attributes(attempts[3]!.attributes)['error.type']).toBeUndefined();
  });

  it('a cache hit: a SERVER span with the cache result and savings, and no upstream attempt', () => {
    const first = serverSpanOf(seen.cachedFirst.requestId);
    const hit = serverSpanOf(seen.cached.requestId);
    expect(attributes(first.attributes)['tidegate.cache']).toBe('miss');
    const a = attributes(hit.attributes);
    expect(a).toMatchObject({ 'tidegate.cache': 'hit', 'tidegate.cost_cny': 0, 'gen_ai.response.model': 'deepseek-flash' });
    expect(a['tidegate.saved_cny']).toBeGreaterThan(0);
    expect(clientSpansOf(hit)).toHaveLength(0);
  });

  it('exports no prompt, no answer, no API key and no provider key, in any byte', () => {
    const bytes = collector.allBytes();
    expect(bytes.length).toBeGreaterThan(1000);
    expect(bytes).not.toContain(PROMPT_MARKER);
    for (const answer of answers) {
      expect(answer.length).toBeGreaterThan(10);
      expect(bytes).not.toContain(answer);
    }
    expect(bytes).not.toContain(virtualKey);
    expect(bytes).not.toContain(virtualKey.slice(-12));
    expect(bytes).not.toContain(adminKey);
    expect(bytes).not.toContain('sk-simulated-deepseek');
    expect(bytes).not.toContain(collectorToken);
  });
});

describe('OpenTelemetry metrics (GenAI semantic conventions)', () => {
  it('gen_ai.client.token.usage: a histogram by gen_ai.token.type, in tokens', () => {
    const tokens = collector.metrics().get('gen_ai.client.token.usage')!;
    expect(tokens).toMatchObject({ unit: '{token}', kind: 'histogram' });
    const types = new Set(tokens.points.map((point) => point.attributes['gen_ai.token.type']));
    expect(types).toEqual(new Set(['input', 'output']));
    const output = tokens.points.filter((point) => point.attributes['gen_ai.token.type'] === 'output' && point.attributes['gen_ai.response.model'] === 'deepseek-flash');
    const expected = seen.plain.body.usage.completion_tokens + seen.stream.body.usage.completion_tokens;
    // plain + streamed + the cache miss on deepseek-flash (the hit billed no tokens)
    expect(output.reduce((sum, point) => sum + Number(point.value.count), 0)).toBe(3);
    expect(output.reduce((sum, point) => sum + point.value.sum, 0)).toBeGreaterThan(expected);
  });

  it('gen_ai.client.operation.duration counts every request, with the cache result and status class', () => {
    const duration = collector.metrics().get('gen_ai.client.operation.duration')!;
    expect(duration).toMatchObject({ unit: 's', kind: 'histogram' });
    expect(duration.points.reduce((sum, point) => sum + Number(point.value.count), 0)).toBe(5);
    const hits = duration.points.filter((point) => point.attributes['tidegate.cache'] === 'hit');
    expect(hits.reduce((sum, point) => sum + Number(point.value.count), 0)).toBe(1);
    expect(duration.points.every((point) => point.attributes['tidegate.status_class'] === '2xx')).toBe(true);
    const firstChunk = collector.metrics().get('gen_ai.client.operation.time_to_first_chunk')!;
    expect(firstChunk.points.reduce((sum, point) => sum + Number(point.value.count), 0)).toBe(1);
  });

  it('tidegate.spend and tidegate.savings in CNY, savings by source', () => {
    const metrics = collector.metrics();
    const spend = metrics.get('tidegate.spend')!;
    expect(spend).toMatchObject({ unit: 'CNY', kind: 'sum' });
    expect(spend.points.reduce((sum, point) => sum + point.value.asDouble, 0)).toBeGreaterThan(0);
    const savings = metrics.get('tidegate.savings')!;
    const sources = new Set(savings.points.map((point) => point.attributes['tidegate.savings.source']));
    expect(sources.has('cache')).toBe(true);
  });

  it('uses bounded attributes only: no request ids, key ids or users', () => {
    const allowed = new Set(['gen_ai.operation.name', 'gen_ai.request.model', 'gen_ai.response.model', 'gen_ai.provider.name', 'gen_ai.token.type', 'tidegate.cache', 'tidegate.provider', 'tidegate.route', 'tidegate.status_class', 'error.type', 'tidegate.savings.source']);
    for (const [, metric] of collector.metrics()) {
      for (const point of metric.points) for (const key of Object.keys(point.attributes)) expect(allowed).toContain(key);
    }
    const bytes = collector.exports.filter((entry) => entry.path === '/v1/metrics').map((entry) => entry.raw.toString()).join('');
    for (const id of Object.values(seen)) expect(bytes).not.toContain(id.requestId);
  });
});
