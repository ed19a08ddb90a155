import { describe, expect, it } from 'vitest';
import { createPrivacyEngine } from '../../src/privacy/index.js';
import { maskingLogger } from '../../src/privacy/masking-logger.js';
import { stricterAction, stricterPolicy } from '../../src/privacy/policy.js';
import type { Logger } from '../../src/logging/logger.js';

describe('a key policy tightens, never loosens', () => {
  it('orders actions by how much of the value any model sees', () => {
    expect(stricterAction('allow', 'mask')).toBe('mask');
    expect(stricterAction('mask', 'onPremises')).toBe('onPremises');
    expect(stricterAction('onPremises', 'redact')).toBe('redact');
    expect(stricterAction('block', 'redact')).toBe('block');
    expect(stricterAction('mask', 'allow')).toBe('mask');
  });

  it('takes the stricter action type by type, the lower confidence floor, and refuses on faults unless both allow on-premises', () => {
    const route = { default: 'mask' as const, types: { PASSPORT: 'block' as const, EMAIL: 'allow' as const }, minConfidence: 0.7, onError: 'onPremises' as const };
    const key = { default: 'mask' as const, types: { PHONE: 'redact' as const, PASSPORT: 'mask' as const } };
    expect(stricterPolicy(route, key)).toEqual({ default: 'mask', types: { PASSPORT: 'block', EMAIL: 'mask', PHONE: 'redact' }, minConfidence: 0.5, onError: 'refuse' });
    expect(stricterPolicy(route, undefined)).toBe(route);
    expect(stricterPolicy({ default: 'allow' }, { default: 'onPremises', onError: 'onPremises' })).toMatchObject({ default: 'onPremises', onError: 'refuse' });
  });

  it('a key that blocks a type blocks it even where the route would mask it', async () => {
    const engine = createPrivacyEngine({ secret: 'policy-test-secret-0123' });
    const policy = stricterPolicy({ default: 'mask' }, { default: 'mask', types: { PHONE: 'block' } });
    await expect(engine.maskMessages([{ role: 'user', content: '手机 13812345678' }], { tenant: 't', conversation: 'c', policy })).rejects.toMatchObject({ code: 'pii_blocked' });
  });
});

describe('the process log follows the log policy', () => {
  it('masks messages and fields (errors included) before they are written', () => {
    const lines: Array<{ message: string; fields: unknown }> = [];
    const capture: Logger = {
      debug: (message, fields) => lines.push({ message, fields }), info: (message, fields) => lines.push({ message, fields }),
      warn: (message, fields) => lines.push({ message, fields }), error: (message, fields) => lines.push({ message, fields }),
    };
    const engine = createPrivacyEngine({ secret: 'policy-test-secret-0123', log: { default: 'redact', types: { PHONE: 'partial' } } });
    const logger = maskingLogger(capture, engine);
    logger.error('upstream said: bad request for 110101199003074610', { error: new Error('echo: 13812345678'), nested: { email: 'zhangsan@163.com' }, count: 3 });
    const written = JSON.stringify(lines);
    for (const value of ['110101199003074610', '13812345678', 'zhangsan@163.com']) expect(written).not.toContain(value);
    expect(lines[0]!.message).toBe('upstream said: bad request for [ID_CARD]');
    expect(JSON.stringify(lines[0]!.fields)).toContain('138****5678');
    expect((lines[0]!.fields as { count: number }).count).toBe(3);
  });
});
