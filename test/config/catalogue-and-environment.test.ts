import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnvironment, loadConfig, parseConfigText } from '../../src/config/index.js';
import { getPreset } from '../../src/providers/registry.js';

const catalogueIds = (preset: string) => getPreset(preset)!.models.map((model) => model.id);

describe('catalogue defaults', () => {
  it('takes price, tier, kind and capabilities from the preset catalogue entry matching upstream', () => {
    const config = parseConfigText(`providers:
  - { id: ds, preset: deepseek }
  - { id: q, preset: qwen }
models:
  - { id: fast, provider: ds, upstream: deepseek-flash }
  - { id: deepseek-v4-pro, provider: ds }
  - { id: cheap-pro, provider: ds, upstream: deepseek-v4-pro, tier: light, price: { input: 1, output: 2, since: 2026-01-01, source: contract } }
  - { id: text-embedding-v3, provider: q }
  - { id: ernie-lookalike, provider: q, upstream: not-in-catalogue }
`, 'tidegate.yaml', {});
    const [fast, pro, cheap, embed, unknown] = config.models;
    expect(fast).toMatchObject({ upstream: 'deepseek-flash', tier: 'light', kind: 'chat', vision: true, tools: true, contextWindow: 1_000_000 });
    expect(fast!.prices.at(-1)).toMatchObject({ currency: 'CNY', input: 2, cacheRead: 0.04, output: 8, since: '2026-09-10', tariff: { schedule: 'deepseek-peak-2026' } });
    expect(fast!.prices.map((version) => version.since)).toEqual(['2026-04-24', '2026-08-17', '2026-09-10']);
    expect(pro).toMatchObject({ upstream: 'deepseek-v4-pro', tier: 'flagship', vision: false });
    expect(pro!.prices.at(-1)?.input).toBe(9);
    expect(cheap).toMatchObject({ tier: 'light', prices: [{ input: 1, output: 2, since: '2026-01-01', source: 'contract', currency: 'CNY' }] });
    expect(embed).toMatchObject({ kind: 'embedding', tier: 'light' });
    expect(unknown).toMatchObject({ tier: 'flagship', kind: 'chat', tools: true, vision: false, contextWindow: undefined, prices: [] });
    // The registry's own catalogue objects are copied, never frozen by the config.
    expect(Object.isFrozen(getPreset('deepseek')!.models[1]!.prices[0])).toBe(false);
  });

  it('a config that declares no model serves every provider\'s catalogue, except a provider marked models: none', () => {
    const config = parseConfigText(`providers:
  - { id: ds, preset: deepseek }
  - { id: q, preset: qwen, models: none }
`, 'tidegate.yaml', {});
    const providers = new Set(config.models.map((model) => model.provider));
    expect([...providers]).toEqual(['ds']);
    expect(config.models.map((model) => model.id)).toEqual(getPreset('deepseek')!.models.map((model) => model.id));
    const declared = parseConfigText(`providers:
  - { id: ds, preset: deepseek }
models:
  - { id: deepseek-flash, provider: ds }
`, 'tidegate.yaml', {});
    expect(declared.models.map((model) => model.id)).toEqual(['deepseek-flash']);
  });

  it('models: all adds every catalogue model not declared, the first provider winning a shared id', () => {
    const config = parseConfigText(`providers:
  - { id: ds, preset: deepseek, models: all }
  - { id: ds-backup, preset: deepseek, models: all }
  - { id: q, preset: qwen }
models:
  - { id: pro, provider: ds, upstream: deepseek-v4-pro, fallbacks: [deepseek-flash] }
  - { id: deepseek-chat, provider: q, upstream: qwen-plus }
`, 'tidegate.yaml', {});
    const ids = config.models.map((model) => model.id);
    expect(ids).toEqual(['pro', 'deepseek-chat', 'deepseek-flash', 'deepseek-reasoner', 'deepseek-v4-pro']);
    expect(config.models.find((model) => model.id === 'deepseek-flash')!.provider).toBe('ds');
    expect(config.models.find((model) => model.id === 'deepseek-v4-pro')!.provider).toBe('ds-backup');
    expect(config.models.find((model) => model.id === 'deepseek-chat')!.provider).toBe('q');
  });

  it('models: none (the default) adds nothing', () => {
    const config = parseConfigText('providers:\n  - { id: ds, preset: deepseek, models: none }\n', 'x.yaml', {});
    expect(config.models).toEqual([]);
  });
});

describe('environment-only configuration', () => {
  it('enables the presets whose API-key variables are set, with all their catalogue models', () => {
    const env = { DEEPSEEK_API_KEY: 'sk-ds', QIANFAN_API_KEY: 'sk-qf', OPENAI_API_KEY: '', DEEPSEEK_BASE_URL: 'https://proxy.example.com/v1/' };
    const config = loadConfig({ env, cwd: '/nonexistent-tidegate-dir' });
    expect(config.source).toBe('environment');
    expect(config.providers.map((provider) => [provider.id, provider.preset, provider.apiKey])).toEqual([['deepseek', 'deepseek', 'sk-ds'], ['qianfan', 'qianfan', 'sk-qf']]);
    expect(config.providers[0]!.baseUrl).toBe('https://proxy.example.com/v1');
    expect(config.providers[1]!.baseUrl).toBe(getPreset('qianfan')!.baseUrl.replace(/\/+$/, ''));
    expect(config.models.map((model) => model.id)).toEqual([...catalogueIds('deepseek'), ...catalogueIds('qianfan')]);
    for (const model of config.models) expect(model.upstream).toBe(model.id);
    expect(config.models.find((model) => model.id === 'ernie-speed-128k')).toMatchObject({ provider: 'qianfan', tier: 'light', tools: false });
    expect(Object.isFrozen(config.models[0])).toBe(true);
  });

  it('reads the admin key, storage URL and the second API-key variable name', () => {
    const config = configFromEnvironment({ TIDEGATE_ADMIN_KEY: 'adm', TIDEGATE_STORAGE_URL: 'postgres://u:p@h/db', KIMI_API_KEY: 'k' });
    expect(config.admin.key).toBe('adm');
    expect(config.storage.url).toBe('postgres://u:p@h/db');
    expect(config.providers.map((provider) => provider.id)).toEqual(['kimi']);
  });

  it('enables openai-compatible by its base URL, and rejects a bad URL naming the variable', () => {
    const config = configFromEnvironment({ OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9000/v1' });
    expect(config.providers).toMatchObject([{ id: 'openai-compatible', baseUrl: 'http://127.0.0.1:9000/v1', apiKey: undefined }]);
    expect(() => configFromEnvironment({ DEEPSEEK_API_KEY: 'k', DEEPSEEK_BASE_URL: 'ftp://x' })).toThrow(/DEEPSEEK_BASE_URL: must be an http\(s\) URL/);
    expect(() => configFromEnvironment({ TIDEGATE_STORAGE_URL: 'mysql://x' })).toThrow(ConfigError);
  });

  it('is valid with no variables at all', () => {
    const config = configFromEnvironment({});
    expect(config.providers).toEqual([]);
    expect(config.models).toEqual([]);
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, bodyLimitBytes: 10_485_760, shutdownDelayMs: 0, drainMs: 10_000 });
    expect(config.storage.url).toBe('sqlite:./.tidegate/tidegate.db');
    expect(config.admin.key).toBeUndefined();
    expect(config.requestLog).toEqual({ enabled: true, batchSize: 200, flushIntervalMs: 50, queueLimit: 10_000 });
    expect(config.circuitBreaker).toEqual({ failureThreshold: 5, cooldownMs: 30_000 });
  });
});

describe('hash', () => {
  const a = `server: { port: 1, host: h }
admin: { key: \${ADMIN} }
providers:
  - { id: ds, preset: deepseek, apiKey: \${KEY} }
models:
  - { id: m, provider: ds, upstream: deepseek-flash, tier: light }
`;
  const b = `models:
  - { tier: light, upstream: deepseek-flash, provider: ds, id: m }
providers:
  - { apiKey: \${KEY}, preset: deepseek, id: ds }
admin: { key: \${ADMIN} }
server: { host: h, port: 1 }
`;

  it('is the same across key order and across secret values, and depends on the rest', () => {
    const first = parseConfigText(a, 'a.yaml', { ADMIN: 'admin-1', KEY: 'sk-one' });
    const second = parseConfigText(b, 'b.yaml', { ADMIN: 'admin-2', KEY: 'sk-two' });
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.hash).toBe(first.hash);
    const withoutKey = parseConfigText(a, 'a.yaml', { ADMIN: 'admin-1', KEY: '' });
    expect(withoutKey.hash).not.toBe(first.hash);
    const otherPort = parseConfigText(a.replace('port: 1', 'port: 2'), 'a.yaml', { ADMIN: 'x', KEY: 'y' });
    expect(otherPort.hash).not.toBe(first.hash);
  });

  it('does not contain or depend on secrets', async () => {
    const { configHash } = await import('../../src/config/load.js');
    const config = parseConfigText(a, 'a.yaml', { ADMIN: 'admin-secret', KEY: 'sk-secret' });
    const { hash: _hash, source: _source, ...rest } = config;
    expect(configHash(rest)).toBe(config.hash);
    const swapped = { ...rest, admin: { key: 'other' }, providers: rest.providers.map((provider) => ({ ...provider, apiKey: 'sk-other' })) };
    expect(configHash(swapped)).toBe(config.hash);
    expect(config.hash).not.toContain('secret');
    const storage = parseConfigText('storage: { url: "postgres://u:pw1@h/db" }\n', 'x', {});
    const storage2 = parseConfigText('storage: { url: "postgres://u:pw2@h/db" }\n', 'x', {});
    expect(storage.hash).toBe(storage2.hash);
  });
});
