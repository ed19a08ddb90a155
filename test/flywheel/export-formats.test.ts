import { describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, lineSchemas, renderExample, Unrepresentable, type Example } from '../../src/flywheel/export-formats.js';

const multiTurn: Example = {
  prompt: [
    { role: 'system', content: '你是客服。' },
    { role: 'user', content: '我要退货' },
    { role: 'assistant', content: '请提供订单号。' },
    { role: 'user', content: '订单 A123' },
  ],
  chosen: '已为订单 A123 办理退货。',
  rejected: '无法办理。',
};

describe('fine-tuning formats', () => {
  it('renders a multi-turn conversation in every format, and every line passes its own schema', () => {
    for (const format of EXPORT_FORMATS) {
      const line = renderExample(format, multiTurn);
      expect(lineSchemas[format].safeParse(line).success, format).toBe(true);
    }
  });

  it('writes each provider\'s documented shape', () => {
    expect(renderExample('openai-sft', multiTurn)).toEqual({
      messages: [
        { role: 'system', content: '你是客服。' },
        { role: 'user', content: '我要退货' },
        { role: 'assistant', content: '请提供订单号。', weight: 0 },
        { role: 'user', content: '订单 A123' },
        { role: 'assistant', content: '已为订单 A123 办理退货。' },
      ],
    });
    expect(renderExample('openai-dpo', multiTurn)).toMatchObject({
      input: { messages: [{ role: 'system' }, { role: 'user' }, { role: 'assistant' }, { role: 'user', content: '订单 A123' }] },
      preferred_output: [{ role: 'assistant', content: '已为订单 A123 办理退货。' }],
      non_preferred_output: [{ role: 'assistant', content: '无法办理。' }],
    });
    expect(renderExample('qianfan-sft', multiTurn)).toEqual([
      { system: '你是客服。', prompt: '我要退货', response: '请提供订单号。' },
      { prompt: '订单 A123', response: '已为订单 A123 办理退货。' },
    ]);
    expect(renderExample('qianfan-dpo', multiTurn)).toEqual([
      { system: '你是客服。', user: '我要退货', assistant: '请提供订单号。' },
      { user: '订单 A123', chosen: '已为订单 A123 办理退货。', rejected: '无法办理。' },
    ]);
    const ark = renderExample('ark-sft', multiTurn) as { messages: Array<{ role: string; loss_weight?: number }> };
    expect(ark.messages.filter((m) => m.role === 'assistant').map((m) => m.loss_weight)).toEqual([0, 1]);
    const bailian = renderExample('bailian-sft', multiTurn) as { messages: Array<Record<string, unknown>> };
    expect(bailian.messages.every((m) => !('weight' in m) && !('name' in m))).toBe(true);
    expect(renderExample('chatml', multiTurn)).toEqual({
      text: '<|im_start|>system\n你是客服。<|im_end|>\n<|im_start|>user\n我要退货<|im_end|>\n<|im_start|>assistant\n请提供订单号。<|im_end|>\n<|im_start|>user\n订单 A123<|im_end|>\n<|im_start|>assistant\n已为订单 A123 办理退货。<|im_end|>\n',
    });
  });

  it('refuses what a format cannot hold instead of writing a broken line', () => {
    const noRejected: Example = { ...multiTurn, rejected: undefined };
    expect(() => renderExample('openai-dpo', noRejected)).toThrow(Unrepresentable);
    expect(() => renderExample('qianfan-dpo', noRejected)).toThrow(Unrepresentable);
    const tools: Example = { prompt: [{ role: 'user', content: '查天气' }, { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }] }, { role: 'tool', content: '晴', tool_call_id: 'c1' }], chosen: '晴天' };
    expect(() => renderExample('bailian-sft', tools)).toThrow(/tool calls/);
    expect(() => renderExample('openai-sft', { prompt: [{ role: 'user', content: 'x' }], chosen: '  ' })).toThrow(/empty/);
    expect(() => renderExample('chatml', { prompt: [{ role: 'user', content: '<|im_end|>' }], chosen: 'x' })).toThrow(/control tokens/);
  });

  it('schemas reject lines that break the formats\' rules', () => {
    expect(lineSchemas['openai-sft'].safeParse({ messages: [{ role: 'user', content: 'hi' }] }).success).toBe(false);
    expect(lineSchemas['openai-sft'].safeParse({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', weight: 2 }] }).success).toBe(false);
    expect(lineSchemas['bailian-sft'].safeParse({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', weight: 1 }] }).success).toBe(false);
    expect(lineSchemas['ark-sft'].safeParse({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo', loss_weight: 1.5 }] }).success).toBe(false);
    expect(lineSchemas['qianfan-sft'].safeParse([{ prompt: 'a', response: 'b' }, { system: 's', prompt: 'c', response: 'd' }]).success).toBe(false);
    expect(lineSchemas['qianfan-dpo'].safeParse([{ user: 'a', chosen: 'b', rejected: 'b' }]).success).toBe(false);
    expect(lineSchemas['openai-dpo'].safeParse({ input: { messages: [{ role: 'user', content: 'a' }] }, preferred_output: [{ role: 'assistant', content: 'b' }], non_preferred_output: [{ role: 'assistant', content: 'b' }] }).success).toBe(false);
    expect(lineSchemas.chatml.safeParse({ text: '<|im_start|>user\nhi<|im_end|>\n' }).success).toBe(false);
  });
});
