import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const base = `providers:
  - id: deepseek
    preset: deepseek
models:
  - { id: deepseek-flash, provider: deepseek }
`;

function problems(text: string): string {
  try {
    parseConfigText(text, 'tidegate.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('cache configuration', () => {
  it('defaults to every cache off, with bounded sizes', () => {
    const config = parseConfigText(base, 'tidegate.yaml', {});
    expect(config.cache.exact).toMatchObject({ enabled: false, store: 'memory', scope: 'key', ttlSeconds: 3600, maxBytes: 64 * 1024 * 1024 });
    expect(config.cache.semantic).toMatchObject({ enabled: false, scenarios: [], maxEntries: 10_000 });
    expect(Object.isFrozen(config.cache.exact)).toBe(true);
  });

  it('takes per-model overrides and rejects unknown keys with their line and the keys allowed', () => {
    const config = parseConfigText(`cache:\n  exact: { enabled: true, ttlSeconds: 60 }\n${base.replace('provider: deepseek }', 'provider: deepseek, cache: { exact: { enabled: false } } }')}`, 'tidegate.yaml', {});
    expect(config.models[0]!.cache).toEqual({ exact: { enabled: false } });
    expect(problems(`cache:\n  exact: { enabled: true, ttl: 60 }\n${base}`)).toMatch(/tidegate\.yaml:2:\d+: unknown key "ttl" in cache\.exact \(allowed keys: enabled, ttlSeconds/);
    expect(problems(`cache:\n  exact: { store: disk }\n${base}`)).toMatch(/cache\.exact\.store: expected "memory" or "sqlite" or "redis"/);
  });

  it('needs redis.url for the Redis store, and a redis:// URL', () => {
    expect(problems(`cache:\n  exact: { enabled: true, store: redis }\n${base}`)).toMatch(/the "redis" store needs redis\.url/);
    expect(problems(`redis: { url: http://127.0.0.1:6379 }\n${base}`)).toMatch(/redis:\/\/ or rediss:\/\//);
    expect(parseConfigText(`cache:\n  exact: { enabled: true, store: redis }\nredis: { url: "redis://127.0.0.1:6379" }\n${base}`, 'tidegate.yaml', {}).redis.url).toBe('redis://127.0.0.1:6379');
  });

  it('accepts replicas only for OpenAI-compatible servers', () => {
    const vllm = `providers:\n  - id: vllm\n    preset: openai-compatible\n    baseUrl: http://10.0.0.1:8000/v1\n    replicas: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1/]\nmodels:\n  - { id: llama, provider: vllm }\n`;
    const config = parseConfigText(vllm, 'tidegate.yaml', {});
    expect(config.providers[0]!.replicas).toEqual(['http://10.0.0.1:8000/v1', 'http://10.0.0.2:8000/v1']);
    expect(config.providers[0]!.affinity.policy).toBe('prefix');
    expect(problems(`providers:\n  - id: claude\n    preset: anthropic\n    replicas: [http://10.0.0.1:8000]\n`)).toMatch(/replicas are for self-hosted OpenAI-compatible servers/);
  });
});
