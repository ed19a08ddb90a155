import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { filedCandidates } from '../../src/aigc/filing-policy.js';
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

describe('per-key privacy policies', () => {
  it('takes policies by key name and checks their actions', () => {
    const config = parseConfigText(`privacy:\n  secret: a-secret-of-16-chars\n  keys:\n    hr-bot: { default: block }\n${base}`, 'tidegate.yaml', {});
    expect(config.privacy?.keys).toEqual({ 'hr-bot': { default: 'block' } });
    expect(message(`privacy:\n  secret: a-secret-of-16-chars\n  keys:\n    hr-bot: { default: hide }\n${base}`)).toMatch(/:4:\d+: privacy\.keys\["hr-bot"\]\.default: expected "mask"/);
    expect(message(`privacy:\n  secret: a-secret-of-16-chars\n  keys:\n    hr-bot: { default: block, level: 2 }\n${base}`)).toMatch(/unknown key "level"/);
  });
});

describe('AIGC labels and filing configuration', () => {
  it('is off unless configured; a label defaults to the end with the standard wording', () => {
    const off = parseConfigText(base, 'tidegate.yaml', {});
    expect(off.aigc).toBeUndefined();
    expect(off.requireFiled).toBe(false);
    const on = parseConfigText(`aigc: { label: {} }\nrequireFiled: true\n${base}`, 'tidegate.yaml', {});
    expect(on.aigc).toMatchObject({ label: { position: 'end', text: '【本内容由人工智能生成】' }, allowUnlabelled: false, propagator: 'tidegate' });
    expect(on.requireFiled).toBe(true);
    expect(Object.isFrozen(on.aigc)).toBe(true);
  });

  it('refuses label wording without "人工智能生成" or "AI生成", and metadata codes with spaces', () => {
    expect(message(`aigc: { label: { text: "机器写的" } }\n${base}`)).toMatch(/aigc\.label\.text: must contain "人工智能生成" or "AI生成"/);
    expect(parseConfigText(`aigc: { label: { position: start, text: "[AI生成]" } }\n${base}`, 'tidegate.yaml', {}).aigc?.label).toEqual({ position: 'start', text: '[AI生成]' });
    expect(message(`aigc: { propagator: "my gateway" }\n${base}`)).toMatch(/aigc\.propagator: must be printable ASCII without spaces/);
    expect(message(`aigc: { lable: {} }\n${base}`)).toMatch(/unknown key "lable".*label/);
  });

  it('keeps the signing key out of the config hash', () => {
    const a = parseConfigText(`aigc: { signingKey: first-signing-key-0123 }\n${base}`, 'tidegate.yaml', {});
    const b = parseConfigText(`aigc: { signingKey: other-signing-key-0123 }\n${base}`, 'tidegate.yaml', {});
    expect(a.hash).toBe(b.hash);
  });

  it('takes a filing number per model and requireFiled per route; catalogue models have none unless published', () => {
    const config = parseConfigText(`providers:\n  - id: deepseek\n    preset: deepseek\nmodels:\n  - { id: deepseek-flash, provider: deepseek, filing: TEST-FILING-0001 }\n  - { id: deepseek-v4-pro, provider: deepseek }\nroutes:\n  - { id: filed, light: [deepseek-flash], flagship: [deepseek-v4-pro], requireFiled: true }\n`, 'tidegate.yaml', {});
    expect(config.models.find((m) => m.id === 'deepseek-flash')?.filing).toBe('TEST-FILING-0001');
    expect(config.models.find((m) => m.id === 'deepseek-v4-pro')?.filing).toBeUndefined();
    expect(config.routes[0]?.requireFiled).toBe(true);
  });
});

describe('README examples', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const example = (marker: string) => new RegExp(`<!-- ${marker} -->\n\`\`\`yaml\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];

  it('the privacy example is a valid configuration with a per-key policy', () => {
    const text = example('privacy-example');
    expect(text).toBeDefined();
    const config = parseConfigText(text!, 'README.md', { TIDEGATE_PRIVACY_SECRET: 'a-secret-of-32-characters-long!!', DEEPSEEK_API_KEY: 'sk-x' });
    expect(config.privacy?.keys?.['hr-bot']).toEqual({ default: 'mask', types: { PHONE: 'block', ID_CARD: 'onPremises' } });
    expect(config.privacy?.log).toEqual({ default: 'redact', types: { PHONE: 'partial' } });
  });

  it('the AIGC example is valid, and its requireFiled route keeps only the filed model', () => {
    const text = example('aigc-example');
    expect(text).toBeDefined();
    const config = parseConfigText(text!, 'README.md', {
      TIDEGATE_AIGC_CODE: '001191440300708461136T2ABCD', TIDEGATE_AIGC_SIGNING_KEY: 'a-signing-key-of-some-length', DEEPSEEK_API_KEY: 'sk-x', OPENAI_API_KEY: 'sk-y', DEEPSEEK_FILING_NUMBER: 'TEST-FILING-0001',
    });
    expect(config.aigc?.label).toEqual({ position: 'end', text: '【本内容由人工智能生成】' });
    const route = config.routes.find((r) => r.id === 'public-chat')!;
    expect(filedCandidates(config, route, config.models).map((m) => m.id)).toEqual(['deepseek-v4-pro']);
    expect(() => filedCandidates(config, route, config.models.filter((m) => m.id === 'gpt-4.1'))).toThrow(expect.objectContaining({ code: 'model_not_filed' }));
    expect(filedCandidates(config, undefined, config.models)).toHaveLength(2); // requireFiled: false globally
  });
});
