import { describe, expect, it } from 'vitest';
import { chatResponseToMessage, messagesRequestToChat } from '../../src/translate/anthropic-inbound.js';
import { chatRequestToMessages, messageToChatResponse } from '../../src/translate/anthropic-outbound.js';

describe('Anthropic ⇄ canonical round trips', () => {
  it('request: Anthropic → canonical → Anthropic keeps the conversation', () => {
    // temperature/top_p are not in the 1.14.0 SDK param types, but clients still send them.
    const original = {
      model: 'claude-x', max_tokens: 256, system: 'Be brief.', temperature: 0.2, top_p: 0.9, stop_sequences: ['##'],
      metadata: { user_id: 'u7' }, stream: true,
      tools: [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: [
          { type: 'text', text: 'Find this' },
          { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
        ] },
        { role: 'assistant', content: [
          { type: 'text', text: 'Searching.' },
          { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'cat' } },
        ] },
        { role: 'user', content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'nothing', is_error: true },
          { type: 'text', text: 'Try again' },
        ] },
      ],
    } as const;
    const inbound = messagesRequestToChat(original);
    expect(inbound.warnings).toEqual([]);
    const { body, warnings } = chatRequestToMessages(inbound.request, 'claude-upstream');
    expect(warnings).toEqual([]);
    expect(body).toEqual({ ...original, model: 'claude-upstream', messages: [
      original.messages[0],
      original.messages[1],
      { role: 'user', content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'nothing', is_error: true },
        { type: 'text', text: 'Try again' },
      ] },
    ] });
  });

  it('response: Anthropic message → canonical → Anthropic message keeps content, stop reason and usage', () => {
    const original = {
      id: 'msg_abc', type: 'message', role: 'assistant', model: 'claude-upstream',
      content: [
        { type: 'thinking', thinking: 'Reason.', signature: '' },
        { type: 'text', text: 'Answer.' },
        { type: 'tool_use', id: 'toolu_2', name: 'f', input: { x: [1, 2] } },
      ],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 11, output_tokens: 22, cache_creation_input_tokens: 33, cache_read_input_tokens: 44 },
    };
    const { response, usage } = messageToChatResponse(original, 'claude-x');
    expect(chatResponseToMessage(response, usage, 'claude-x')).toEqual({ ...original, model: 'claude-x' });
  });
});
