/** The AIGC stage on its own: where the explicit label goes in whole and streamed answers, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import { buildAigcConfig, type AigcFile } from '../../src/aigc/config.js';
import { aigcSink } from '../../src/aigc/label-sink.js';
import { aigcHeaderValue, verifyAigcMetadata } from '../../src/aigc/metadata.js';
import type { AuditEvent, AuditLog } from '../../src/aigc/audit-log.js';
import type { ChatChunk, ChatResponse } from '../../src/canonical/chat.js';
import type { ChatSink } from '../../src/pipeline/chat-pipeline.js';
import { RequestContext } from '../../src/pipeline/request-context.js';
import type { StreamEvent } from '../../src/providers/adapter.js';
import { zeroUsage } from '../../src/canonical/usage.js';

const cost = { nanoCny: 0, cny: '0' } as never;
const base = { id: 'up-1', object: 'chat.completion.chunk' as const, created: 1, model: 'm' };
const chunk = (choices: ChatChunk['choices']): StreamEvent => ({ type: 'chunk', chunk: { ...base, choices }, raw: JSON.stringify({ ...base, choices }) });

function harness(file: AigcFile, labelOff = false) {
  const events: StreamEvent[] = [];
  const log: string[] = [];
  let json: ChatResponse | undefined;
  const audited: AuditEvent[] = [];
  const audit: AuditLog = { record: (event) => audited.push(event), flush: async () => undefined, recent: async () => [] };
  const context = new RequestContext('chat', 'key-1', '127.0.0.1');
  context.aigcLabelOff = labelOff;
  const inner: ChatSink = {
    json: (response) => { json = response; log.push('json'); },
    open: () => log.push(`open ${context.aigc?.ProduceID ?? '-'}`),
    event: (event) => { events.push(event); log.push('event'); },
    close: () => log.push('close'),
    failMidStream: () => log.push('fail'),
  };
  const sink = aigcSink({ config: buildAigcConfig(file), audit }, context, inner);
  const text = (index: number) => events.flatMap((e) => (e.type === 'chunk' ? e.chunk.choices.filter((c) => c.index === index).map((c) => c.delta.content ?? '') : [])).join('');
  return { sink, events, log, audited, context, text, json: () => json };
}

describe('explicit label in streams', () => {
  it('starts each choice that has text with the label, leaves tool-call-only choices alone, and opens with the upstream id', () => {
    const h = harness({ label: { position: 'start', text: 'AI生成：' } });
    h.sink.open();
    expect(h.log).toEqual([]); // headers wait for the first event, which names the content
    const first = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }, { index: 1, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    const original = JSON.stringify(first);
    h.sink.event(first);
    h.sink.event(chunk([{ index: 0, delta: { content: '你好' }, finish_reason: null }, { index: 1, delta: { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: null }]));
    h.sink.event(chunk([{ index: 0, delta: { content: '世界' }, finish_reason: 'stop' }, { index: 1, delta: {}, finish_reason: 'tool_calls' }]));
    h.sink.close(zeroUsage, cost);
    expect(h.log[0]).toBe('open up-1');
    expect(h.text(0)).toBe('AI生成：你好世界');
    expect(h.text(1)).toBe('');
    expect(JSON.stringify(first)).toBe(original); // the cache recorder's chunk is never changed
    const changed = h.events.filter((e) => e.type === 'chunk' && e.chunk.choices[0]?.delta.content === 'AI生成：你好');
    expect(changed).toHaveLength(1);
    expect((changed[0] as { raw?: string }).raw).toBeUndefined(); // a changed chunk is re-serialised, not sent as the upstream raw text
    expect(h.audited).toEqual([]);
  });

  it('ends a choice with the label before its finish, also when the last text and the finish share a chunk', () => {
    const h = harness({ label: { position: 'end', text: '【AI生成】' } });
    h.sink.event(chunk([{ index: 0, delta: { content: '甲' }, finish_reason: null }, { index: 1, delta: { content: '乙' }, finish_reason: null }]));
    h.sink.event(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
    h.sink.event(chunk([{ index: 1, delta: { content: '丙' }, finish_reason: 'stop' }]));
    h.sink.close(zeroUsage, cost);
    expect([h.text(0), h.text(1)]).toEqual(['甲【AI生成】', '乙丙【AI生成】']);
    const finishAt = h.events.findIndex((e) => e.type === 'chunk' && e.chunk.choices.some((c) => c.index === 0 && c.finish_reason));
    const labelAt = h.events.findIndex((e) => e.type === 'chunk' && e.chunk.choices.some((c) => c.index === 0 && c.delta.content === '【AI生成】'));
    expect(labelAt).toBeLessThan(finishAt);
  });

  it('labels what was shown before a moderation cut-off or a failure', () => {
    const h = harness({ label: { position: 'end', text: 'AI生成' } });
    h.sink.event(chunk([{ index: 0, delta: { content: '一半' }, finish_reason: null }]));
    h.sink.event({ type: 'moderated', message: 'cut' } as StreamEvent);
    h.sink.close(zeroUsage, cost);
    expect(h.text(0)).toBe('一半AI生成');
    const f = harness({ label: { position: 'end', text: 'AI生成' } });
    f.sink.event(chunk([{ index: 0, delta: { content: '一半' }, finish_reason: null }]));
    f.sink.failMidStream({} as never, zeroUsage, cost);
    expect(f.text(0)).toBe('一半AI生成');
    expect(f.log.at(-1)).toBe('fail');
  });
});

describe('explicit label in whole answers, and unlabelled answers', () => {
  const response: ChatResponse = { id: 'up-2', object: 'chat.completion', created: 1, model: 'm', choices: [
    { index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '答案' } },
    { index: 1, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] } },
  ] };

  it('labels text choices only and leaves the original response untouched', () => {
    const h = harness({ label: { position: 'start', text: '[AI生成]' } });
    h.sink.json(response, zeroUsage, cost);
    expect(h.json()!.choices.map((c) => c.message.content)).toEqual(['[AI生成]答案', null]);
    expect(response.choices[0]!.message.content).toBe('答案');
    expect(h.context.aigc).toMatchObject({ Label: '1', ProduceID: 'up-2', PropagateID: h.context.id, ContentPropagator: 'tidegate' });
  });

  it('sends no explicit label when none is configured or the client opts out where allowed, and audits those answers', () => {
    const none = harness({});
    none.sink.json(response, zeroUsage, cost);
    expect(none.json()!.choices[0]!.message.content).toBe('答案');
    expect(none.audited).toMatchObject([{ event: 'aigc_unlabelled', reason: 'explicit label not configured', apiKeyId: 'key-1', clientIp: '127.0.0.1' }]);

    const refused = harness({ label: { text: 'AI生成' } }, true);
    refused.sink.json(response, zeroUsage, cost);
    expect(refused.json()!.choices[0]!.message.content).toBe('答案AI生成');
    expect(refused.context.warnings.join()).toContain('allowUnlabelled');
    expect(refused.audited).toEqual([]);

    const allowed = harness({ label: { text: 'AI生成' }, allowUnlabelled: true }, true);
    allowed.sink.event(chunk([{ index: 0, delta: { content: '流' }, finish_reason: 'stop' }]));
    allowed.sink.close(zeroUsage, cost);
    expect(allowed.text(0)).toBe('流');
    expect(allowed.audited).toMatchObject([{ reason: 'client asked for no explicit label' }]);
  });
});

describe('upstream implicit labels', () => {
  const upstream = { Label: '2', ContentProducer: '001191440300708461136T1XGW3', ProduceID: 'up-content-9', ReservedCode1: 'e862483430d978cbf828b8b24296ef9328d843a0', ContentPropagator: '', PropagateID: '', ReservedCode2: '' };

  it('keeps the producer elements an upstream sent and adds only the propagator elements, whole or streamed', () => {
    const h = harness({ propagator: 'gw-1', signingKey: 'signing-key-0123456789' });
    h.sink.json({ id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [], AIGC: upstream }, zeroUsage, cost);
    expect(h.context.aigc).toMatchObject({ Label: '2', ContentProducer: upstream.ContentProducer, ProduceID: 'up-content-9', ReservedCode1: upstream.ReservedCode1, ContentPropagator: 'gw-1', PropagateID: h.context.id });
    expect(verifyAigcMetadata(h.context.aigc!, 'signing-key-0123456789')).toBe(true);

    const s = harness({});
    s.sink.event({ type: 'chunk', chunk: { ...base, AIGC: upstream, choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }] } });
    expect(s.context.aigc).toMatchObject({ Label: '2', ProduceID: 'up-content-9', ContentPropagator: 'tidegate' });
  });

  it('writes metadata with non-ASCII text as a header value that parses back to the same object', () => {
    const metadata = { ...upstream, Label: '1' as const, ContentProducer: '深度求索' };
    const header = aigcHeaderValue(metadata);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(header)).toEqual(metadata);
  });
});
