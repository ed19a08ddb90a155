import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const base = `providers:\n  - id: deepseek\n    preset: deepseek\nmodels:\n  - { id: deepseek-flash, provider: deepseek }\n`;
const message = (text: string): string => {
  try {
    parseConfigText(text, 'tidegate.yaml', {});
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('privacy configuration', () => {
  it('is off unless configured, and on with a secret', () => {
    expect(parseConfigText(base, 'tidegate.yaml', {}).privacy).toBeUndefined();
    const config = parseConfigText(`privacy: { secret: "\${SECRET}", provider: { default: mask, types: { ID_CARD: block } } }\n${base}`, 'tidegate.yaml', { SECRET: 'a-secret-of-32-characters-long!!' });
    expect(config.privacy).toMatchObject({ enabled: true, provider: { default: 'mask', types: { ID_CARD: 'block' } } });
  });

  it('rejects a short secret, an unknown entity type or action, and a pattern that is not a regular expression', () => {
    expect(message(`privacy: { secret: short }\n${base}`)).toMatch(/privacy\.secret: must be at least 16 characters/);
    expect(message(`privacy: { secret: a-secret-of-16-chars, types: [IDCARD] }\n${base}`)).toMatch(/privacy\.types\[0\]/);
    expect(message(`privacy: { secret: a-secret-of-16-chars, provider: { default: hide } }\n${base}`)).toMatch(/privacy\.provider\.default: expected "mask"/);
    expect(message(`privacy:\n  secret: a-secret-of-16-chars\n  patterns: [{ name: emp, pattern: "EMP(\\\\d+" }]\n${base}`)).toMatch(/tidegate\.yaml:3:\d+: .*not a valid regular expression/);
  });

  it('keeps the secret out of the config hash', () => {
    const a = parseConfigText(`privacy: { secret: first-secret-0123456789 }\n${base}`, 'tidegate.yaml', {});
    const b = parseConfigText(`privacy: { secret: other-secret-0123456789 }\n${base}`, 'tidegate.yaml', {});
    expect(a.hash).toBe(b.hash);
  });
});
