import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/canonical/chat.js';
import { assertTargetAllowed, createPrivacyEngine, MemoryPlaceholderStore, PrivacyError, type Detector } from '../../src/privacy/index.js';

const secret = 'test-secret-0123456789abcdef';
const engine = createPrivacyEngine({ secret });
const scope = { tenant: 'team-a', conversation: 'conv-1' };
const id = '110101199003074610';
const phone = '13812345678';

const user = (content: ChatMessage['content']): ChatMessage => ({ role: 'user', content });
const text = (m: ChatMessage | undefined): string => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content));

describe('masking chat messages', () => {
  it('replaces values with typed placeholders and restores them', async () => {
    const out = await engine.maskMessages([user(`身份证${id}，手机${phone}`)], scope);
    const sent = text(out.messages[0]);
    expect(sent).not.toContain(id);
    expect(sent).not.toContain(phone);
    expect(sent).toMatch(/^身份证\[ID_CARD_[A-Z]{8}\]，手机\[PHONE_[A-Z]{8}\]$/);
    expect(out.restorer.restoreText(sent)).toBe(`身份证${id}，手机${phone}`);
    expect(out.findings).toEqual([{ type: 'ID_CARD', action: 'mask', count: 1 }, { type: 'PHONE', action: 'mask', count: 1 }]);
    expect(out.onPremisesRequired).toBe(false);
  });

  it('never changes the caller\'s messages', async () => {
    const input = [user(`手机${phone}`)];
    const before = structuredClone(input);
    await engine.maskMessages(input, scope);
    expect(input).toEqual(before);
  });

  it('keeps placeholders stable across turns, whatever the number\'s spelling', async () => {
    const turn1 = await engine.maskMessages([user(`我的手机是${phone}`)], scope);
    const placeholder = text(turn1.messages[0]).slice(5);
    const turn2 = await engine.maskMessages([
      user(`我的手机是${phone}`),
      { role: 'assistant', content: `好的，已记录 ${phone}。` },
      user('电话改成 138-1234-5678 还是原来那个'),
    ], scope);
    for (const m of turn2.messages) expect(text(m)).toContain(placeholder);
    // An answer from turn 1 echoed in turn 3 still restores.
    expect(turn2.restorer.restoreText(`之前的号码 ${placeholder}`)).toBe(`之前的号码 ${phone}`);
  });

  it('gives other tenants and other conversations different placeholders', async () => {
    const a = text((await engine.maskMessages([user(phone)], scope)).messages[0]);
    const b = text((await engine.maskMessages([user(phone)], { ...scope, tenant: 'team-b' })).messages[0]);
    const c = text((await engine.maskMessages([user(phone)], { ...scope, conversation: 'conv-2' })).messages[0]);
    expect(new Set([a, b, c]).size).toBe(3);
    const other = await engine.maskMessages([user('13900001111')], { ...scope, tenant: 'team-b' });
    expect(other.restorer.restoreText(a)).toBe(a); // tenant B's restorer cannot resolve tenant A's placeholder
  });

  it('numbers placeholders per conversation with a counter store, stable across turns', async () => {
    const counter = createPrivacyEngine({ secret, placeholders: { style: 'counter', store: new MemoryPlaceholderStore() } });
    const t1 = await counter.maskMessages([user(`A ${phone} B 13900001111`)], scope);
    expect(text(t1.messages[0])).toBe('A [PHONE_1] B [PHONE_2]');
    const t2 = await counter.maskMessages([user('C 13700002222'), user(`A ${phone} B 13900001111`)], scope);
    expect(text(t2.messages[1])).toBe('A [PHONE_1] B [PHONE_2]');
    expect(text(t2.messages[0])).toBe('C [PHONE_3]');
    const otherTenant = await counter.maskMessages([user('13700002222')], { ...scope, tenant: 'team-b' });
    expect(otherTenant.restorer.restoreText('[PHONE_1]')).toBe('13700002222');
    expect(t2.restorer.restoreText('[PHONE_1]')).toBe(phone);
  });

  it('masks text parts, tool-call arguments and tool results, leaving images alone', async () => {
    const messages: ChatMessage[] = [
      user([{ type: 'text', text: `卡号 6222021234567890124` }, { type: 'image_url', image_url: { url: 'https://x/13812345678.png' } }]),
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup', arguments: JSON.stringify({ phone, note: `身份证 ${id}`, n: 1 }) } }] },
      { role: 'tool', tool_call_id: 'c1', content: `{"owner":"张三","mobile":"${phone}"}` },
    ];
    const out = await engine.maskMessages(messages, scope);
    const wire = JSON.stringify(out.messages);
    expect(wire).not.toContain(phone.slice(0, 11) + '"');
    expect(wire).not.toContain(id);
    expect(wire).not.toContain('6222021234567890124');
    expect(wire).toContain('https://x/13812345678.png');
    const args = JSON.parse(out.messages[1]!.tool_calls![0]!.function.arguments) as Record<string, unknown>;
    expect(args.n).toBe(1);
    expect(out.restorer.restoreText(String(args.phone))).toBe(phone);
    expect(out.restorer.restoreText(text(out.messages[2]))).toBe(`{"owner":"张三","mobile":"${phone}"}`);
  });

  it('masks arguments that are not valid JSON as plain text', async () => {
    const out = await engine.maskMessages([{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: `{"phone": ${phone}` } }] }], scope);
    expect(out.messages[0]!.tool_calls![0]!.function.arguments).toMatch(/^\{"phone": \[PHONE_[A-Z]{8}\]$/);
  });
});

describe('actions', () => {
  it('redacts irreversibly', async () => {
    const out = await engine.maskMessages([user(`手机${phone}`)], { ...scope, policy: { default: 'redact' } });
    expect(text(out.messages[0])).toBe('手机[REDACTED:PHONE]');
    expect(out.restorer.size).toBe(0);
  });

  it('blocks with a stable code and a message that does not echo the value', async () => {
    const policy = { default: 'mask', types: { ID_CARD: 'block' } } as const;
    const error = await engine.maskMessages([user(`身份证${id}`)], { ...scope, policy }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivacyError);
    expect((error as PrivacyError).code).toBe('pii_blocked');
    expect((error as PrivacyError).status).toBe(400);
    expect((error as PrivacyError).types).toEqual(['ID_CARD']);
    expect((error as PrivacyError).message).not.toContain(id);
  });

  it('reports keep-on-premises, and the router check refuses a cloud model', async () => {
    const policy = { default: 'mask', types: { BANK_CARD: 'onPremises' } } as const;
    const out = await engine.maskMessages([user(`卡号6222021234567890124，手机${phone}`)], { ...scope, policy });
    expect(out.onPremisesRequired).toBe(true);
    expect(out.onPremisesTypes).toEqual(['BANK_CARD']);
    expect(text(out.messages[0])).toContain('6222021234567890124');
    expect(text(out.messages[0])).not.toContain(phone);
    expect(() => assertTargetAllowed(out, { onPremises: false })).toThrow(expect.objectContaining({ code: 'pii_requires_on_premises' }));
    expect(() => assertTargetAllowed(out, { onPremises: true })).not.toThrow();
  });

  it('allows a type, and ignores findings below the confidence threshold', async () => {
    const out = await engine.maskMessages([user(`邮箱a@b.cn，卡 6222021234567890126`)], { ...scope, policy: { default: 'mask', types: { EMAIL: 'allow' } } });
    expect(text(out.messages[0])).toBe('邮箱a@b.cn，卡 6222021234567890126'); // Luhn-failing 62… without context: 0.4
  });
});

describe('fail closed', () => {
  const faulty: Detector = { type: 'FAULT', detect: () => { throw new Error('detector crashed on 13812345678'); } };

  it('refuses the request when a detector throws, without echoing the text', async () => {
    const broken = createPrivacyEngine({ secret, detection: { detectors: [faulty] } });
    const error = await broken.maskMessages([user(`手机${phone}`)], scope).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrivacyError);
    expect((error as PrivacyError).code).toBe('privacy_scan_failed');
    expect(JSON.stringify({ message: (error as Error).message, cause: (error as Error).cause })).not.toContain(phone);
  });

  it('refuses when the placeholder store fails', async () => {
    const broken = createPrivacyEngine({ secret, placeholders: { style: 'counter', store: { assign: () => Promise.reject(new Error('redis down')) } } });
    await expect(broken.maskMessages([user(phone)], scope)).rejects.toMatchObject({ code: 'privacy_scan_failed' });
  });

  it('refuses when a detector returns a span outside the text', async () => {
    const liar: Detector = { type: 'LIAR', detect: () => [{ type: 'LIAR', start: 0, end: 10_000, value: 'x', confidence: 1 }] };
    const broken = createPrivacyEngine({ secret, detection: { detectors: [liar] } });
    await expect(broken.maskMessages([user(phone)], scope)).rejects.toMatchObject({ code: 'privacy_scan_failed' });
  });

  it('routes on-premises instead when the policy says so', async () => {
    const broken = createPrivacyEngine({ secret, detection: { detectors: [faulty] }, provider: { default: 'mask', onError: 'onPremises' } });
    const out = await broken.maskMessages([user(phone)], scope);
    expect(out).toMatchObject({ onPremisesRequired: true, degraded: true });
    expect(() => assertTargetAllowed(out, {})).toThrow(PrivacyError);
  });

  it('the verification pass refuses when something that should be hidden survives', async () => {
    // A detector that misses part of a value on the first scan simulates a masking gap.
    let calls = 0;
    const span = (t: string, word: string) => ({ type: 'GAP', start: t.indexOf(word), end: t.indexOf(word) + word.length, value: word, confidence: 1 });
    const flaky: Detector = { type: 'GAP', detect: (t) => (calls++ === 0 ? [span(t, '秘密')] : t.includes('机密') ? [span(t, '机密')] : []) };
    const gap = createPrivacyEngine({ secret, detection: { detectors: [flaky] } });
    await expect(gap.maskMessages([user('秘密机密')], scope)).rejects.toMatchObject({ code: 'privacy_scan_failed' });
  });

  it('rejects a short secret at start-up', () => {
    expect(() => createPrivacyEngine({ secret: 'short' })).toThrow();
  });
});

describe('log policy (separate from the provider policy)', () => {
  const logEngine = createPrivacyEngine({ secret, provider: { default: 'allow' }, log: { default: 'redact', types: { EMAIL: 'partial' } } });

  it('redacts for logs while the provider policy lets the text through', async () => {
    const raw = `手机${phone}，邮箱zhang@163.com`;
    expect(logEngine.maskForLog(raw)).toBe('手机[PHONE]，邮箱z***@163.com');
    expect(text((await logEngine.maskMessages([user(raw)], scope)).messages[0])).toBe(raw);
  });

  it('masks every string of a JSON value and withholds text when the scan fails', () => {
    expect(logEngine.maskValueForLog({ messages: [{ role: 'user', content: `身份证${id}` }], n: 3 })).toEqual({ messages: [{ role: 'user', content: '身份证[ID_CARD]' }], n: 3 });
    expect(engine.maskForLog(`手机${phone}`, { default: 'partial' })).toBe('手机138****5678');
    expect(engine.maskForLog(`手机${phone}，邮箱a@b.cn`, { default: 'redact', types: { PHONE: 'keep' } })).toBe(`手机${phone}，邮箱[EMAIL]`);
    const broken = createPrivacyEngine({ secret, detection: { detectors: [{ type: 'X', detect: () => { throw new Error('boom'); } }] } });
    expect(broken.maskForLog(`手机${phone}`)).not.toContain(phone);
  });
});

describe('conversation ids', () => {
  it('are stable across turns of one conversation and differ between conversations', () => {
    const first = [{ role: 'system', content: 'sys' }, user('你好，我想办卡')] as ChatMessage[];
    const a = engine.conversationId(first);
    expect(engine.conversationId([...first, { role: 'assistant', content: 'ok' }, user('继续')])).toBe(a);
    expect(engine.conversationId([user('另一个话题')])).not.toBe(a);
  });
});
