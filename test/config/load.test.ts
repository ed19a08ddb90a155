import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfig, ConfigError, loadConfig, parseConfigText } from '../../src/config/index.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-config-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const fullFile = `# every section
server:
  host: 0.0.0.0
  port: 9090
  bodyLimitBytes: 2048
storage:
  url: postgres://tide:hunter2@db.internal/tidegate
admin:
  key: \${TIDEGATE_ADMIN_KEY}
circuitBreaker: { failureThreshold: 3, cooldownMs: 1000 }
requestLog: { enabled: false, batchSize: 10, flushIntervalMs: 5, queueLimit: 100 }
providers:
  - id: deepseek
    preset: deepseek
    apiKey: \${DEEPSEEK_API_KEY}
    headers: { x-team: search }
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 3000 }
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 1000 }
  - id: local.vllm
    preset: openai-compatible
    baseUrl: http://10.0.0.5:8000/v1/
    onPremises: true
models:
  - id: deepseek-v4-pro
    provider: deepseek
    fallbacks: [deepseek-flash]
  - id: deepseek-flash
    provider: deepseek
  - id: llama
    provider: local.vllm
    upstream: meta-llama/Llama-3.3-70B-Instruct
    tier: light
    contextWindow: 131072
    price: { input: 0.5, output: 1 }
  - { id: local-embed, provider: local.vllm, kind: embedding }
`;

const env = { TIDEGATE_ADMIN_KEY: 'admin-secret', DEEPSEEK_API_KEY: 'sk-deepseek' };

function problemsOf(text: string, environment: Record<string, string> = {}): ConfigError {
  try {
    parseConfigText(text, 'tidegate.yaml', environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig with a file', () => {
  it('loads a full valid file, applies defaults and deep-freezes the result', () => {
    const dir = tempDir();
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, fullFile);
    const config = loadConfig({ file, env });
    expect(config.source).toBe(file);
    expect(config.server).toEqual({ host: '0.0.0.0', port: 9090, bodyLimitBytes: 2048, shutdownDelayMs: 0, drainMs: 10_000 });
    expect(config.storage.url).toBe('postgres://tide:hunter2@db.internal/tidegate');
    expect(config.admin.key).toBe('admin-secret');
    expect(config.circuitBreaker).toEqual({ failureThreshold: 3, cooldownMs: 1000 });
    expect(config.requestLog).toEqual({ enabled: false, batchSize: 10, flushIntervalMs: 5, queueLimit: 100 });

    const [deepseek, local] = config.providers;
    expect(deepseek).toMatchObject({ id: 'deepseek', preset: 'deepseek', baseUrl: 'https://api.deepseek.com', apiKey: 'sk-deepseek', headers: { 'x-team': 'search' }, onPremises: false });
    expect(deepseek!.retry).toEqual({ maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 1000 });
    expect(local).toMatchObject({ id: 'local.vllm', baseUrl: 'http://10.0.0.5:8000/v1', apiKey: undefined, onPremises: true });
    expect(local!.timeouts).toEqual({ connectMs: 5000, firstByteMs: 60000, idleMs: 30000 });
    expect(local!.retry).toEqual({ maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 4000, maxRetryAfterMs: 20000 });

    expect(config.models.map((model) => model.id)).toEqual(['deepseek-v4-pro', 'deepseek-flash', 'llama', 'local-embed']);
    const llama = config.models[2]!;
    expect(llama).toMatchObject({ upstream: 'meta-llama/Llama-3.3-70B-Instruct', tier: 'light', kind: 'chat', tools: true, vision: false, contextWindow: 131072 });
    expect(llama.prices).toEqual([{ input: 0.5, output: 1, since: '1970-01-01', source: 'config', currency: 'CNY' }]);
    expect(config.models[3]).toMatchObject({ kind: 'embedding', tools: false, tier: 'flagship', prices: [] });
    expect(config.models[0]!.fallbacks).toEqual(['deepseek-flash']);
    expect(config.hash).toMatch(/^[0-9a-f]{64}$/);

    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.providers)).toBe(true);
    expect(Object.isFrozen(config.providers[0]!.retry)).toBe(true);
    expect(Object.isFrozen(config.models[0]!.fallbacks)).toBe(true);
    expect(Object.isFrozen(config.models[0]!.prices[0])).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('applies port and host overrides after loading', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tidegate.yaml'), 'server: { port: 9000 }\n');
    const config = loadConfig({ cwd: dir, env: {}, overrides: { port: 0, host: '::1' } });
    expect(config.server.port).toBe(0);
    expect(config.server.host).toBe('::1');
    expect(config.source).toBe(join(dir, 'tidegate.yaml'));
    expect(() => loadConfig({ cwd: dir, env: {}, overrides: { port: Number.NaN } })).toThrow(/port override/);
  });

  it('uses <cwd>/tidegate.yaml when present and the environment otherwise', () => {
    const dir = tempDir();
    expect(loadConfig({ cwd: dir, env: {} }).source).toBe('environment');
    writeFileSync(join(dir, 'tidegate.yaml'), 'server: { port: 1234 }\n');
    expect(loadConfig({ cwd: dir, env: {} }).server.port).toBe(1234);
  });

  it('reports a missing file as a ConfigError', () => {
    const dir = tempDir();
    expect(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file: 'nope.yaml', cwd: dir, env: {} })).toThrow(/config file not found/);
  });

  it('checkConfig returns the config or the error instead of throwing', () => {
    const dir = tempDir();
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(good, 'providers: []\n');
    writeFileSync(bad, 'servr: {}\n');
    const ok = checkConfig(good, {});
    expect(ok.ok).toBe(true);
    const failed = checkConfig(bad, {});
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.error.problems[0]).toMatchObject({ line: 1, column: 1, path: 'servr' });
  });
});

describe('interpolation', () => {
  it('substitutes variables and defaults in string scalars only', () => {
    const config = parseConfigText(
      ['server: { host: "${HOST:-localhost}", port: ${PORT:-8181} }', 'storage:', '  url: sqlite:${DATA}/db.sqlite', 'admin: { key: "$${literal}" }'].join('\n'),
      'tidegate.yaml',
      { DATA: '/var/tide', HOST: '' },
    );
    expect(config.server.host).toBe('localhost');
    expect(config.server.port).toBe(8181);
    expect(config.storage.url).toBe('sqlite:/var/tide/db.sqlite');
    expect(config.admin.key).toBe('${literal}');
  });

  it('accepts unquoted ${...} inside flow mappings and lists', () => {
    const config = parseConfigText('admin: { key: ${KEY} }\nproviders: [{ id: d, preset: deepseek, apiKey: ${DS:-none}, retry: { maxAttempts: ${TRIES} } }]\n', 'x.yaml', { KEY: 'k,}]', TRIES: '5' });
    expect(config.admin.key).toBe('k,}]');
    expect(config.providers[0]).toMatchObject({ apiKey: 'none', retry: { maxAttempts: 5 } });
  });

  it('never re-parses a substituted value as YAML', () => {
    const config = parseConfigText('admin:\n  key: ${KEY}\n', 'tidegate.yaml', { KEY: '{ a: [1, 2] } # not a comment' });
    expect(config.admin.key).toBe('{ a: [1, 2] } # not a comment');
  });

  it('names the unset variable and its line', () => {
    const error = problemsOf('server: { port: 1 }\nproviders:\n  - id: deepseek\n    preset: deepseek\n    apiKey: ${DEEPSEEK_API_KEY}\n');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ line: 5, column: 13, path: 'providers[0].apiKey' });
    expect(error.message).toContain('tidegate.yaml:5:13: providers[0].apiKey: environment variable DEEPSEEK_API_KEY is not set');
  });
});
