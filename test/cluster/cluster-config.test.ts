import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const base = 'providers:\n  - { id: deepseek, preset: deepseek, apiKey: sk-x }\n';

describe('cluster: in the config file', () => {
  it('has defaults that keep budgets enforced when Redis is down', () => {
    const config = parseConfigText(`${base}redis: { url: "redis://127.0.0.1:6379" }\n`, 't.yaml', {});
    expect(config.cluster).toMatchObject({ onRedisDown: 'local-share', holdTtlMs: 300_000, redisTimeoutMs: 250, keyPrefix: 'tidegate', sharedCircuits: true, nodes: undefined });
  });

  it('takes numbers from ${VAR} and lists of fail-closed keys and teams', () => {
    const config = parseConfigText(`${base}cluster: { nodes: "\${NODES}", failClosed: { keys: [key_1], teams: [finance] }, onRedisDown: fail-closed }\n`, 't.yaml', { NODES: '4' });
    expect(config.cluster).toMatchObject({ nodes: 4, onRedisDown: 'fail-closed', failClosed: { keys: ['key_1'], teams: ['finance'] } });
  });

  it('rejects an unknown key or value with the line and what is allowed', () => {
    const attempt = (text: string) => {
      try {
        parseConfigText(`${base}${text}`, 't.yaml', {});
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(attempt('cluster: { onRedisDown: open }\n')).toMatch(/cluster\.onRedisDown[\s\S]*local-share/);
    expect(attempt('cluster: { holdTTLMs: 1000 }\n')).toMatch(/holdTTLMs[\s\S]*holdTtlMs/);
  });
});

describe('README "Running N nodes"', () => {
  it('its config block is a valid config', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Running N nodes'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const config = parseConfigText(`${base}${block}`, 'README.md', {
      TIDEGATE_DATABASE_URL: 'postgres://tidegate@db/tidegate',
      TIDEGATE_REDIS_URL: 'redis://redis:6379',
      POD_NAME: 'tidegate-0',
    });
    expect(config.cluster).toMatchObject({ nodeId: 'tidegate-0', onRedisDown: 'local-share', failClosed: { teams: ['finance'], keys: ['key_01'] }, holdTtlMs: 300_000 });
  });
});
