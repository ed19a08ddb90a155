import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/providers/sse-parser.js';

describe('SseParser', () => {
  it('skips keep-alive comments and blank lines (DeepSeek under load)', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\n\n\n: keep-alive\n\ndata: {"a":1}\n\ndata: [DONE]\n\n');
    expect(events.map((event) => event.data)).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins an event split across network chunks, including a UTF-8 character cut in half', () => {
    const parser = new SseParser();
    const bytes = new TextEncoder().encode('data: {"content":"你好"}\n\n');
    const cut = bytes.indexOf(0xe4) + 1; // inside the first Chinese character
    expect(parser.push(bytes.slice(0, cut))).toEqual([]);
    expect(parser.push(bytes.slice(cut))).toEqual([{ event: undefined, data: '{"content":"你好"}' }]);
  });

  it('reads event names and CRLF line ends (Anthropic style)', () => {
    const parser = new SseParser();
    const events = parser.push('event: message_start\r\ndata: {"type":"message_start"}\r\n\r\nevent: ping\r\ndata: {}\r\n\r\n');
    expect(events).toEqual([
      { event: 'message_start', data: '{"type":"message_start"}' },
      { event: 'ping', data: '{}' },
    ]);
  });

  it('joins multi-line data and flushes a final event that lacks its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('data: line one\ndata: line two\n')).toEqual([]);
    expect(parser.end()).toEqual([{ event: undefined, data: 'line one\nline two' }]);
  });
});
