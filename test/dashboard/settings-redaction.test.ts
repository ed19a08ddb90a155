import { describe, expect, it } from 'vitest';
import { redactedConfig } from '../../src/api/dashboard-settings.js';
import { parseConfigText } from '../../src/config/index.js';

const SECRETS = {
  deepseek: 'sk-ds-7Hq2LmNp0RstUvWx',
  header: 'hdr-secret-Zk81Qp0aa',
  pgPassword: 'pg-pass-Y7t6r5e4',
  redisPassword: 'redis-pass-K9j8h7',
  privacy: 'privacy-placeholder-secret-0123',
  signing: 'aigc-signing-key-abcdef0123',
  admin: 'tg-admin-secret-key-Qw12Er34',
};

const CONFIG = `
storage: { url: "postgres://tidegate:${SECRETS.pgPassword}@db.internal:5432/tidegate" }
redis: { url: "redis://:${SECRETS.redisPassword}@cache.internal:6379/0" }
admin: { key: "${SECRETS.admin}" }
privacy:
  secret: ${SECRETS.privacy}
aigc:
  allowUnlabelled: true
  signingKey: ${SECRETS.signing}
providers:
  - id: deepseek
    preset: deepseek
    apiKey: ${SECRETS.deepseek}
    headers: { x-upstream-auth: ${SECRETS.header} }
  - id: local
    preset: openai-compatible
    baseUrl: http://10.0.0.5:8000/v1?token=${SECRETS.deepseek}
models:
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: local-qwen, provider: local, tier: light }
`;

describe('settings page config redaction', () => {
  it('replaces every secret (keys, header values, URL passwords, privacy and signing secrets, a key reused in a URL)', () => {
    const config = parseConfigText(CONFIG, 'redaction.yaml', {});
    const text = JSON.stringify(redactedConfig(config));
    for (const [name, secret] of Object.entries(SECRETS)) expect({ name, leaked: text.includes(secret) }).toEqual({ name, leaked: false });
    const redacted = redactedConfig(config) as any;
    expect(redacted.providers[0].apiKey).toBe('[redacted]');
    expect(redacted.providers[0].headers['x-upstream-auth']).toBe('[redacted]');
    expect(redacted.storage.url).toContain('db.internal:5432');
    expect(redacted.models.map((model: { id: string }) => model.id)).toEqual(['deepseek-v4-pro', 'local-qwen']);
  });
});
