import { describe, expect, it } from 'vitest';
import type { ChatChunk, ChatMessage, ChatResponse } from '../../src/canonical/chat.js';
import type { StreamEvent } from '../../src/providers/adapter.js';
import { createPrivacyEngine, restoreStreamEvents, Restorer, SseRestorer } from '../../src/privacy/index.js';
import { int, seeded, type Random } from './helpers.js';

const values = new Map([
  ['[PHONE_KXMBTQRD]', '13812345678'],
  ['[ID_CARD_GTKMLGSR]', '110101199003074610'],
  ['[PHONE_1]', '13900001111'],
  ['[PHONE_12]', '13700002222'],
  ['[PERSON_BCDFGHJK]', 'Tom "T" Lee\\张三'],
]);
const restorer = new Restorer(values);
const masked = '您好[PERSON_BCDFGHJK]，手机[PHONE_KXMBTQRD]和[PHONE_1]、[PHONE_12]已登记；身份证[ID_CARD_GTKMLGSR]。[PHONE_2]不是我们的，[PHONE_ 也不是，最后是[PHONE_1]';
const expected = restorer.restoreText(masked);

/** Splits `text` at the given cut points. */
const cut = (text: string, points: number[]): string[] => {
  const sorted = [...new Set(points)].sort((a, b) => a - b);
  const parts: string[] = [];
  let at = 0;
  for (const p of sorted) {
    parts.push(text.slice(at, p));
    at = p;
  }
  parts.push(text.slice(at));
  return parts;
};
const randomCuts = (r: Random, length: number): number[] => Array.from({ length: int(r, 1, 12) }, () => int(r, 0, length));

const endsWithKnownPrefix = (piece: string): boolean =>
  [...values.keys()].some((p) => { for (let n = 1; n < p.length; n++) if (piece.endsWith(p.slice(0, n))) return true; return false; });

function runText(parts: string[], json = false): { out: string; pieces: string[] } {
  const stream = restorer.textStream(json);
  const pieces = parts.map((p) => stream.push(p));
  pieces.push(stream.end());
  return { out: pieces.join(''), pieces };
}

describe('text stream restoration', () => {
  it('sanity: the expected text has every known value and no known placeholder', () => {
    for (const [placeholder, value] of values) {
      expect(expected).not.toContain(placeholder);
      expect(expected).toContain(value);
    }
    expect(expected).toContain('[PHONE_2]'); // unknown placeholders are left alone
  });

  it('restores at every single split point', () => {
    for (let i = 0; i <= masked.length; i++) expect(runText(cut(masked, [i])).out).toBe(expected);
  });

  it('restores at every pair of split points', () => {
    for (let i = 0; i <= masked.length; i += 1) {
      for (let j = i; j <= masked.length; j += 1) expect(runText(cut(masked, [i, j])).out).toBe(expected);
    }
  });

  it('restores across 10,000 random chunkings, never emitting a placeholder fragment', () => {
    const r = seeded(42);
    for (let n = 0; n < 10_000; n++) {
      const { out, pieces } = runText(cut(masked, randomCuts(r, masked.length)));
      expect(out).toBe(expected);
      for (const piece of pieces.slice(0, -1)) expect(endsWithKnownPrefix(piece)).toBe(false);
    }
  });

  it('holds back only a possible placeholder prefix', () => {
    const stream = restorer.textStream();
    expect(stream.push('普通文本 [not a placeholder] 继续')).toBe('普通文本 [not a placeholder] 继续');
    expect(stream.push('号码 [PHO')).toBe('号码 ');
    expect(stream.push('NE_1')).toBe('');
    expect(stream.push('] ok [')).toBe('13900001111 ok ');
    expect(stream.end()).toBe('[');
  });

  it('escapes values for JSON string contexts (tool-call arguments)', () => {
    const args = '{"name":"[PERSON_BCDFGHJK]","phone":"[PHONE_KXMBTQRD]"}';
    const r = seeded(7);
    for (let n = 0; n < 2000; n++) {
      const { out } = runText(cut(args, randomCuts(r, args.length)), true);
      expect(JSON.parse(out)).toEqual({ name: 'Tom "T" Lee\\张三', phone: '13812345678' });
    }
  });

  it('passes text through untouched when nothing was masked', () => {
    const stream = Restorer.empty.textStream();
    expect(stream.push('[PHONE_1')).toBe('[PHONE_1');
    expect(stream.end()).toBe('');
  });
});

/** OpenAI-style chunks for a content stream and one tool call, split at random points. */
function chunksFor(r: Random, content: string, args: string): ChatChunk[] {
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
  const chunks: ChatChunk[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  for (const piece of cut(content, randomCuts(r, content.length))) chunks.push({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
  const argParts = cut(args, randomCuts(r, args.length));
  argParts.forEach((piece, i) => chunks.push({
    ...base,
    choices: [{ index: 0, delta: { tool_calls: [{ index: 0, ...(i === 0 ? { id: 'call_1', type: 'function' as const, function: { name: 'send', arguments: piece } } : { function: { arguments: piece } }) }] }, finish_reason: null }],
  }));
  chunks.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
  return chunks;
}

/** What a client assembles from chunks. */
function assemble(chunks: ChatChunk[]): { content: string; args: string } {
  let content = '';
  let args = '';
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      content += choice.delta.content ?? '';
      for (const call of choice.delta.tool_calls ?? []) args += call.function?.arguments ?? '';
    }
  }
  return { content, args };
}

const argsMasked = '{"to":"[PHONE_KXMBTQRD]","who":"[PERSON_BCDFGHJK]","cc":["[PHONE_12]"]}';
const argsExpected = { to: '13812345678', who: 'Tom "T" Lee\\张三', cc: ['13700002222'] };

describe('chunk stream restoration (content and tool-call arguments)', () => {
  it('restores both channels across 10,000 random chunkings', () => {
    const r = seeded(99);
    for (let n = 0; n < 10_000; n++) {
      const chunks = restorer.chunkStream();
      const out = chunksFor(r, masked, argsMasked).map((c) => chunks.restoreChunk(c));
      expect(chunks.flush()).toBeNull();
      const { content, args } = assemble(out);
      expect(content).toBe(expected);
      expect(JSON.parse(args)).toEqual(argsExpected);
    }
  });

  it('releases held-back text at the end when no finish_reason came', () => {
    const chunks = restorer.chunkStream();
    const first = chunks.restoreChunk({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: '到此为止 [PHONE_1' }, finish_reason: null }] });
    expect(first.choices[0]!.delta.content).toBe('到此为止 ');
    expect(chunks.flush()?.choices[0]?.delta.content).toBe('[PHONE_1');
  });

  it('keeps choices apart when n > 1', () => {
    const chunks = restorer.chunkStream();
    const base = { id: 'x', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    const out = [
      chunks.restoreChunk({ ...base, choices: [{ index: 0, delta: { content: 'a[PHONE' }, finish_reason: null }, { index: 1, delta: { content: 'b[PHONE_1' }, finish_reason: null }] }),
      chunks.restoreChunk({ ...base, choices: [{ index: 1, delta: { content: '2]' }, finish_reason: 'stop' }, { index: 0, delta: { content: '_1]' }, finish_reason: 'stop' }] }),
    ];
    const text = (i: number) => out.flatMap((c) => c.choices.filter((ch) => ch.index === i).map((ch) => ch.delta.content ?? '')).join('');
    expect([text(0), text(1)]).toEqual(['a13900001111', 'b13700002222']);
  });

  it('returns unchanged chunks as the same object so a raw copy can be forwarded', () => {
    const chunks = restorer.chunkStream();
    const chunk: ChatChunk = { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'plain' }, finish_reason: null }] };
    expect(chunks.restoreChunk(chunk)).toBe(chunk);
  });

  it('restores canonical StreamEvents, flushing before usage and dropping stale raw copies', async () => {
    const base = { id: 'x', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    async function* upstream(): AsyncIterable<StreamEvent> {
      yield { type: 'chunk', chunk: { ...base, choices: [{ index: 0, delta: { content: 'plain ' }, finish_reason: null }] }, raw: '{"raw":1}' };
      yield { type: 'chunk', chunk: { ...base, choices: [{ index: 0, delta: { content: '号码[PHONE_' }, finish_reason: null }] }, raw: '{"raw":2}' };
      yield { type: 'chunk', chunk: { ...base, choices: [{ index: 0, delta: { content: '1' }, finish_reason: null }] } };
      yield { type: 'usage', usage: { uncached: 1, cacheRead: 0, cacheWrite: 0, output: 1, reasoning: 0, image: 0 } as never };
    }
    const events: StreamEvent[] = [];
    for await (const event of restoreStreamEvents(upstream(), restorer)) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['chunk', 'chunk', 'chunk', 'chunk', 'usage']);
    expect((events[0] as { raw?: string }).raw).toBe('{"raw":1}');
    expect((events[1] as { raw?: string }).raw).toBeUndefined();
    const text = events.flatMap((e) => (e.type === 'chunk' ? e.chunk.choices.map((c) => c.delta.content ?? '') : [])).join('');
    expect(text).toBe('plain 号码[PHONE_1');
  });
});

describe('SSE byte stream restoration', () => {
  const encoder = new TextEncoder();

  function sseBytes(chunks: ChatChunk[], eol: string): Uint8Array {
    return encoder.encode(chunks.map((c) => `data: ${JSON.stringify(c)}${eol}${eol}`).join('') + `: keep-alive${eol}${eol}data: [DONE]${eol}${eol}`);
  }

  function run(bytes: Uint8Array, cuts: number[]): { chunks: ChatChunk[]; done: boolean } {
    const sse = new SseRestorer(restorer);
    const decoder = new TextDecoder();
    let text = '';
    let at = 0;
    for (const p of [...new Set(cuts)].sort((a, b) => a - b)) {
      text += decoder.decode(sse.push(bytes.subarray(at, p)), { stream: true });
      at = p;
    }
    text += decoder.decode(sse.push(bytes.subarray(at)), { stream: true });
    text += decoder.decode(sse.end());
    const events = text.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => e.slice(6));
    return { chunks: events.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d) as ChatChunk), done: events.at(-1) === '[DONE]' };
  }

  it('restores with the byte stream split at every offset, inside multi-byte characters and CRLF line ends', () => {
    const r = seeded(5);
    for (const eol of ['\n', '\r\n']) {
      const bytes = sseBytes(chunksFor(r, masked, argsMasked), eol);
      for (let i = 0; i <= bytes.length; i++) {
        const { chunks, done } = run(bytes, [i]);
        const { content, args } = assemble(chunks);
        expect(content).toBe(expected);
        expect(JSON.parse(args)).toEqual(argsExpected);
        expect(done).toBe(true);
      }
    }
  });

  it('restores across 2,000 random byte chunkings of randomly chunked streams', () => {
    const r = seeded(6);
    for (let n = 0; n < 2000; n++) {
      const bytes = sseBytes(chunksFor(r, masked, argsMasked), '\n');
      const { chunks } = run(bytes, Array.from({ length: int(r, 1, 40) }, () => int(r, 0, bytes.length)));
      const { content, args } = assemble(chunks);
      expect(content).toBe(expected);
      expect(JSON.parse(args)).toEqual(argsExpected);
    }
  });

  it('releases held-back text before [DONE] when the stream has no finish_reason', () => {
    const base = { id: 'x', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
    const bytes = sseBytes([{ ...base, choices: [{ index: 0, delta: { content: '尾巴[PHONE_1' }, finish_reason: null }] }], '\n');
    const { chunks, done } = run(bytes, []);
    expect(assemble(chunks).content).toBe('尾巴[PHONE_1');
    expect(done).toBe(true);
  });
});

describe('whole answers and the round trip', () => {
  it('restores content, parts, reasoning and tool-call arguments of a response', () => {
    const response: ChatResponse = {
      id: 'r', object: 'chat.completion', created: 1, model: 'm',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: {
        role: 'assistant', content: '联系[PHONE_1]', reasoning_content: '用户是[PERSON_BCDFGHJK]',
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: argsMasked } }],
      } }],
    };
    const out = restorer.restoreResponse(response);
    expect(out.choices[0]!.message.content).toBe('联系13900001111');
    expect(out.choices[0]!.message.reasoning_content).toBe('用户是Tom "T" Lee\\张三');
    expect(JSON.parse(out.choices[0]!.message.tool_calls![0]!.function.arguments)).toEqual(argsExpected);
    expect(response.choices[0]!.message.content).toBe('联系[PHONE_1]');
  });

  it('sends no value upstream and gives every value back, over 10,000 random chunkings of the answer', async () => {
    const engine = createPrivacyEngine({ secret: 'round-trip-secret-0123456789', detection: { dictionaries: [{ name: 'PERSON', words: ['张三'] }] } });
    const secrets = ['13812345678', '110101199003074610', '张三', 'zhangsan@163.com', '91440300708461136T'];
    const messages: ChatMessage[] = [{ role: 'user', content: `我是张三，手机13812345678，身份证110101199003074610，邮箱zhangsan@163.com，公司信用代码91440300708461136T。请复述。` }];
    const out = await engine.maskMessages(messages, { tenant: 't', conversation: 'c' });
    const upstreamBody = JSON.stringify(out.messages);
    for (const value of secrets) expect(upstreamBody).not.toContain(value);
    // The fake model echoes the masked prompt; the client must get the original.
    const answer = String(out.messages[0]!.content);
    const r = seeded(123);
    for (let n = 0; n < 10_000; n++) {
      const stream = out.restorer.textStream();
      const client = cut(answer, randomCuts(r, answer.length)).map((p) => stream.push(p)).join('') + stream.end();
      expect(client).toBe(messages[0]!.content);
    }
  });
});
