import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../src/http/body.js';
import { raw, simulatedProvider, startStack, type Stack } from '../e2e/harness.js';

const adminKey = 'tg-admin-http-edges-0123456789';
const admin = { authorization: `Bearer ${adminKey}` };
let stack: Stack;
let clientKey: string;

beforeAll(async () => {
  stack = await startStack((simulator) => `
server: { port: 0, bodyLimitBytes: 65536, cors: { origins: ["https://app.example"] } }
admin: { key: ${adminKey} }
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek }
`);
  const created = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'edges' }) });
  expect(created.status).toBe(201);
  clientKey = created.json.key;
});
afterAll(async () => stack?.close());

const client = () => ({ authorization: `Bearer ${clientKey}` });
const upload = async (text: string) =>
  new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: clientKey, maxRetries: 0 }).files.create({ file: await toFile(Buffer.from(text), 'input.jsonl'), purpose: 'batch' });
const chat = { model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] };
const post = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  raw(stack, path, { method: 'POST', headers: { ...client(), 'content-type': 'application/json', ...headers }, body });

function expectError(result: { status: number; json: any }, status: number, code: string) {
  expect(result.status).toBe(status);
  expect(result.json).toMatchObject({ error: { code, message: expect.any(String), type: expect.any(String) } });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('deeply nested JSON', () => {
  it('is a 400 invalid_request on chat, whether in metadata or tool parameters', async () => {
    const inMetadata = await post('/v1/chat/completions', `{"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}],"metadata":{"x":${nested(3000)}}}`);
    expectError(inMetadata, 400, 'invalid_request');
    expect(inMetadata.json.error.message).toMatch(/nest/);
    const tool = `{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":${'{"x":'.repeat(3000)}1${'}'.repeat(3000)}}}}}`;
    expectError(await post('/v1/chat/completions', `{"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}],"tools":[${tool}]}`), 400, 'invalid_request');
  });
  it('is refused on every JSON endpoint, admin ones included', async () => {
    expectError(await post('/v1/embeddings', `{"model":"deepseek-flash","input":${nested(500)}}`), 400, 'invalid_request');
    expectError(await post('/admin/keys', `{"name":${nested(500)}}`, admin), 400, 'invalid_request');
  });
  it('the limit counts every array and object level, the outermost included', () => {
    expect(nestedDeeperThan(JSON.parse(nested(MAX_JSON_DEPTH)), MAX_JSON_DEPTH)).toBe(false);
    expect(nestedDeeperThan(JSON.parse(nested(MAX_JSON_DEPTH + 1)), MAX_JSON_DEPTH)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: 'x' }], c: null }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
    expect(nestedDeeperThan(JSON.parse(nested(200_000)), MAX_JSON_DEPTH)).toBe(true); // no recursion to overflow
  });
  it('a moderately nested body is still accepted', async () => {
    const result = await post('/v1/chat/completions', JSON.stringify({ ...chat, metadata: { x: JSON.parse(nested(20)) } }));
    expect(result.status).not.toBe(500);
    expect(result.json.error?.message ?? '').not.toMatch(/nest/);
  });
  it('is refused in a batch input line, naming the line', async () => {
    const line = `{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}],"metadata":${nested(3000)}}}`;
    const file = await upload(line);
    const result = await post('/v1/batches', JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expectError(result, 400, 'invalid_request');
    expect(result.json.error.message).toMatch(/line 1.*nest/);
  });
});

describe('body encodings', () => {
  it('a UTF-8 byte-order mark before the JSON is ignored', async () => {
    const result = await post('/v1/chat/completions', `\uFEFF${JSON.stringify(chat)}`);
    expect(result.status).toBe(200);
  });
  it('gzip, deflate and br bodies are decoded', async () => {
    const body = Buffer.from(JSON.stringify(chat));
    for (const [encoding, encoded] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)]] as const) {
      const result = await post('/v1/chat/completions', encoded, { 'content-encoding': encoding });
      expect(result.status, encoding).toBe(200);
    }
  });
  it('a compressed body over the limit once decoded is a 413 (no zip bomb)', async () => {
    const bomb = gzipSync(Buffer.from(JSON.stringify({ ...chat, metadata: { x: 'a'.repeat(5_000_000) } })));
    expect(bomb.length).toBeLessThan(65536);
    expectError(await post('/v1/chat/completions', bomb, { 'content-encoding': 'gzip' }), 413, 'body_too_large');
  });
  it('a corrupt gzip body is a 400; an unknown encoding is a 415 naming it', async () => {
    expectError(await post('/v1/chat/completions', 'not gzip at all', { 'content-encoding': 'gzip' }), 400, 'invalid_request');
    const unknown = await post('/v1/chat/completions', JSON.stringify(chat), { 'content-encoding': 'zstd' });
    expectError(unknown, 415, 'unsupported_media_type');
    expect(unknown.json.error.message).toContain('zstd');
  });
});

describe('file uploads', () => {
  const form = (text: string) => {
    const data = new FormData();
    data.set('purpose', 'batch');
    data.set('file', new Blob([text]), 'input.jsonl');
    return new Response(data);
  };
  const send = async (response: Response, headers: Record<string, string> = {}, transform = (body: Buffer) => body) =>
    raw(stack, '/v1/files', { method: 'POST', headers: { ...client(), 'content-type': response.headers.get('content-type')!, ...headers }, body: transform(Buffer.from(await response.arrayBuffer())) });
  const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: chat });

  it('an upload over the limit is a 413 in the catalogue shape, not a reset connection', async () => {
    expectError(await send(form('x'.repeat(700_000))), 413, 'body_too_large');
  });
  it('a gzip upload is decoded, and a byte-order mark before the first line is ignored', async () => {
    const uploaded = await send(form(`\uFEFF${line}`), { 'content-encoding': 'gzip' }, gzipSync);
    expect(uploaded.status).toBe(200);
    const batch = await post('/v1/batches', JSON.stringify({ input_file_id: uploaded.json.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expect(batch.status).toBe(200);
  });
});

describe('HEAD and 405', () => {
  it('HEAD is answered wherever GET is, with the same status and headers and no body', async () => {
    for (const [path, headers] of [['/healthz', {}], ['/v1/models', client()]] as const) {
      const get = await fetch(`${stack.gateway.url}${path}`, { headers });
      const head = await fetch(`${stack.gateway.url}${path}`, { method: 'HEAD', headers });
      expect(head.status, path).toBe(get.status);
      expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
      expect(await head.text()).toBe('');
    }
  });
  it('a 405 carries an Allow header listing the route methods', async () => {
    const chatGet = await raw(stack, '/v1/chat/completions', { headers: client() });
    expectError(chatGet, 405, 'method_not_allowed');
    expect(chatGet.headers.get('allow')).toBe('POST');
    const files = await raw(stack, '/v1/files', { method: 'DELETE', headers: client() });
    expectError(files, 405, 'method_not_allowed');
    expect(files.headers.get('allow')).toBe('GET, HEAD, POST');
  });
});

/** Raw bytes to the gateway's port; what comes back before the socket closes. */
function rawExchange(bytes: string): Promise<string> {
  const { port } = new URL(stack.gateway.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(bytes));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('requests Node refuses before routing', () => {
  it('headers over the limit are a 431 headers_too_large in the OpenAI shape', async () => {
    const { port } = new URL(stack.gateway.url);
    const result = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port, path: '/v1/models', headers: { 'x-big': 'a'.repeat(20_000) } }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      request.on('error', reject);
      request.end();
    });
    expect(result.status).toBe(431);
    expect(result.headers.connection).toBe('close');
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'headers_too_large', type: 'invalid_request_error' } });
  });
  it('a malformed request line is a 400 invalid_request in the OpenAI shape', async () => {
    const text = await rawExchange('GARBAGE\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ error: { code: 'invalid_request' } });
  });
});

describe('CORS', () => {
  it('exposes every x-tidegate-* header the gateway sets on responses', async () => {
    const response = await fetch(`${stack.gateway.url}/healthz`, { headers: { origin: 'https://app.example' } });
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').split(/,\s*/);
    const sources = ['src/http/model-headers.ts', 'src/api/deferred-chat.ts'].map((path) => readFileSync(path, 'utf8')).join('\n');
    const set = new Set([...sources.matchAll(/'(x-tidegate-[a-z-]+)'\]? *[:=]/g)].map((match) => match[1]!));
    expect(set.size).toBeGreaterThan(15);
    for (const name of set) expect(exposed, name).toContain(name);
    for (const name of ['x-tidegate-priority', 'x-tidegate-queue-ms', 'x-tidegate-cache-age', 'x-tidegate-cache-kind', 'x-tidegate-aigc', 'x-tidegate-model-filing']) expect(exposed).toContain(name);
  });
});

describe('files and batches', () => {
  it('a missing file is file_not_found; a missing or empty input_file_id a 404 or 400', async () => {
    expectError(await raw(stack, '/v1/files/file_nope', { headers: client() }), 404, 'file_not_found');
    expectError(await raw(stack, '/v1/files/file_nope/content', { headers: client() }), 404, 'file_not_found');
    const create = (input: string) => post('/v1/batches', JSON.stringify({ input_file_id: input, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    const unknown = await create('file_nope');
    expectError(unknown, 404, 'file_not_found');
    expect(unknown.json.error.param).toBe('input_file_id');
    const empty = await create('');
    expectError(empty, 400, 'invalid_request');
    expect(empty.json.error.param).toBe('input_file_id');
  });
  it("a missing batch, or another key's, is batch_not_found", async () => {
    expectError(await raw(stack, '/v1/batches/batch_nope', { headers: client() }), 404, 'batch_not_found');
    expectError(await post('/v1/batches/batch_nope/cancel', ''), 404, 'batch_not_found');
    const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: chat });
    const file = await upload(line);
    const mine = await post('/v1/batches', JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }));
    expect(mine.status).toBe(200);
    const other = await raw(stack, '/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'other' }) });
    expectError(await raw(stack, `/v1/batches/${mine.json.id}`, { headers: { authorization: `Bearer ${other.json.key}` } }), 404, 'batch_not_found');
    expectError(await raw(stack, `/v1/files/${file.id}`, { headers: { authorization: `Bearer ${other.json.key}` } }), 404, 'file_not_found');
  });
  it('completion_window: whole hours 1h to 336h as documented; anything else is a 400 naming the param', async () => {
    const line = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: chat });
    const file = await upload(line);
    const create = (window: unknown) => post('/v1/batches', JSON.stringify({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: window }));
    expect((await create('48h')).status).toBe(200);
    for (const window of ['0h', '337h', '024h', '1d', '24', 24, '24H', ' 24h', null]) {
      const result = await create(window);
      expectError(result, 400, 'invalid_request');
      expect(result.json.error.param, String(window)).toBe('completion_window');
    }
  });
});

describe('admin bodies', () => {
  it('unknown fields are refused, naming the field and the accepted ones', async () => {
    const result = await post('/admin/keys', JSON.stringify({ name: 'poor', daily_budget: 0.0002 }), admin);
    expectError(result, 400, 'invalid_request');
    expect(result.json.error.param).toBe('daily_budget');
    expect(result.json.error.message).toContain('daily_budget_cny');
    const listed = await raw(stack, '/admin/keys', { headers: admin });
    expect(listed.json.data.map((key: { name: string }) => key.name)).not.toContain('poor');
    const created = await post('/admin/keys', JSON.stringify({ name: 'patchable' }), admin);
    const patch = await raw(stack, `/admin/keys/${created.json.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ rpm_limit: 5 }) });
    expectError(patch, 400, 'invalid_request');
    expect(patch.json.error.param).toBe('rpm_limit');
    const patchName = await raw(stack, `/admin/keys/${created.json.id}`, { method: 'PATCH', headers: admin, body: JSON.stringify({ name: 'renamed' }) });
    expectError(patchName, 400, 'invalid_request');
    const team = await raw(stack, '/admin/teams/support', { method: 'PUT', headers: admin, body: JSON.stringify({ daily_budget: '5' }) });
    expectError(team, 400, 'invalid_request');
    expect(team.json.error.param).toBe('daily_budget');
  });
  it('a second active key of the same name is refused (privacy policies name keys); after a revoke the name is free', async () => {
    const first = await post('/admin/keys', JSON.stringify({ name: 'twin' }), admin);
    expect(first.status).toBe(201);
    const second = await post('/admin/keys', JSON.stringify({ name: ' twin ' }), admin);
    expectError(second, 400, 'invalid_request');
    expect(second.json.error.param).toBe('name');
    await raw(stack, `/admin/keys/${first.json.id}`, { method: 'DELETE', headers: admin });
    expect((await post('/admin/keys', JSON.stringify({ name: 'twin' }), admin)).status).toBe(201);
  });
  it('the create response has the snake_case shape of GET /admin/keys, plus the key', async () => {
    const created = await post('/admin/keys', JSON.stringify({ name: 'shaped', daily_budget_cny: '5', max_priority: 'standard' }), admin);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'shaped', daily_budget_cny: '5', max_priority: 'standard', key: expect.stringMatching(/^tg-/) });
    expect(created.json).not.toHaveProperty('dailyBudgetNano');
    const listed = await raw(stack, '/admin/keys', { headers: admin });
    const row = listed.json.data.find((key: { id: string }) => key.id === created.json.id);
    expect(Object.keys(created.json).sort()).toEqual([...Object.keys(row), 'key'].sort());
    expect({ ...created.json, key: undefined }).toMatchObject({ ...row, last_used_at: null });
  });
});
