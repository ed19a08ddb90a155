import { describe, expect, it } from 'vitest';
import { captureInput, maskForStorage } from '../../src/flywheel/captured-content.js';
import { storageEngine } from '../../src/flywheel/flywheel-service.js';
import { promptHash } from '../../src/flywheel/prompt-hash.js';
import { createPrivacyEngine, placeholderSystemHint } from '../../src/privacy/index.js';

const PHONE = '13812345678';
const ID = '11010519491231002X';

describe('content as it is stored', () => {
  it('is redacted by the built-in detectors even when privacy is not configured', () => {
    const engine = storageEngine(undefined);
    expect(maskForStorage(engine, `电话 ${PHONE}，身份证 ${ID}`)).toBe('电话 [PHONE]，身份证 [ID_CARD]');
  });

  it('redacts whatever the privacy policy let through, and turns placeholders into type markers', async () => {
    // A policy that lets phone numbers through to the provider (allow) must not let them into storage.
    const engine = createPrivacyEngine({ secret: 'storage-test-secret-0123', provider: { default: 'mask', types: { PHONE: 'allow' } }, log: { default: 'keep' } });
    const masked = await engine.maskMessages([{ role: 'user', content: `手机 ${PHONE} 身份证 ${ID}` }], { tenant: 't', conversation: 'c' });
    const sent = masked.messages[0]!.content as string;
    expect(sent).toContain(PHONE);
    expect(sent).toMatch(/\[ID_CARD_[A-Z]{8}\]/);
    const input = captureInput(engine, { model: 'm', messages: [{ role: 'system', content: placeholderSystemHint }, ...masked.messages], temperature: 0 });
    expect(input.messages).toEqual([{ role: 'user', content: '手机 [PHONE] 身份证 [ID_CARD]' }]);
    expect(input.params).toEqual({ temperature: 0 });
  });

  it('keeps text but never images, and counts what it left out', () => {
    const input = captureInput(storageEngine(undefined), {
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: '这张图里是什么？' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }],
    });
    expect(input.messages[0]!.content).toBe('这张图里是什么？');
    expect(input.images).toBe(1);
    expect(JSON.stringify(input)).not.toContain('base64');
  });

  it('hashes prompts that differ only in width, case or spacing alike, and different prompts apart', () => {
    const hash = (content: string) => promptHash([{ role: 'user', content }]);
    expect(hash('Ｈｅｌｌｏ  World？')).toBe(hash('hello world?'));
    expect(hash('hello world?')).not.toBe(hash('hello world!'));
    expect(promptHash([{ role: 'system', content: 'a' }, { role: 'user', content: 'b' }])).not.toBe(promptHash([{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }]));
  });
});

describe('which calls are captured', () => {
  it('only opted-in routes, scenarios and keys, for the shortest retention among those that match', async () => {
    const { captureRetention } = await import('../../src/flywheel/capture-sink.js');
    const { parseConfigText } = await import('../../src/config/index.js');
    const { capture } = parseConfigText(`
capture: { scenarios: { support: { retentionDays: 7 } }, keys: [key_1], routes: { deepseek-flash: { retentionDays: 2 } } }
providers: [{ id: deepseek, preset: deepseek, apiKey: sk-x }]
models: [{ id: deepseek-flash, provider: deepseek }]
`, 'c.yaml', {}).flywheel;
    const day = 86_400_000;
    expect(captureRetention(capture, { model: 'deepseek-chat', scenario: undefined, apiKeyId: undefined })).toBeUndefined();
    expect(captureRetention(capture, { model: 'deepseek-chat', scenario: 'support', apiKeyId: undefined })).toBe(7 * day);
    expect(captureRetention(capture, { model: 'deepseek-chat', scenario: 'other', apiKeyId: 'key_1' })).toBe(30 * day);
    expect(captureRetention(capture, { model: 'deepseek-flash', scenario: 'support', apiKeyId: 'key_1' })).toBe(2 * day);
  });
});
