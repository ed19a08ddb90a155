/**
 * Canonical stream events → OpenAI Responses SSE, in the order OpenAI sends it: response.created and
 * response.in_progress; per output item output_item.added, its parts and deltas, their .done events and
 * output_item.done; then response.completed (or response.incomplete) with the whole response object. Every
 * event carries a growing sequence_number. Reasoning text goes out as a reasoning item's summary (the form the
 * OpenAI and AI SDK clients read). Pure: every method returns the SSE text to write and performs no I/O.
 */
import type { ChatChunk } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { GatewayError } from '../errors/catalogue.js';
import type { StreamEvent } from '../providers/adapter.js';
import { itemId, responseObject, responsesErrorBody, responsesUsage, statusFor, type OutputItem, type ResponseEcho, type ResponseObject } from './responses-types.js';

type ToolDelta = NonNullable<ChatChunk['choices'][number]['delta']['tool_calls']>[number];

interface OpenItem {
  readonly index: number;
  readonly item: OutputItem;
  /** Text accumulated so far: the message's text, the reasoning summary, or the call's arguments. */
  text: string;
}

export interface ResponsesStreamEncoderOptions {
  requestId: string;
  /** Seconds since the epoch. */
  createdAt: number;
  echo: ResponseEcho;
}

export class ResponsesStreamEncoder {
  private sequence = 0;
  private started = false;
  private ended = false;
  private readonly items: OpenItem[] = [];
  /** The reasoning or message item receiving deltas now (function calls stay open until the end). */
  private current: OpenItem | undefined;
  private readonly calls = new Map<number, OpenItem>();
  private finishReason: string | null = null;
  private moderated = false;
  private readonly id: string;

  constructor(private readonly options: ResponsesStreamEncoderOptions) {
    this.id = `resp_${options.requestId.replace(/-/g, '')}`;
  }

  /** response.created and response.in_progress (once; also emitted by the first event if not called). */
  start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.response('in_progress', null, []);
    return this.sse('response.created', { response }) + this.sse('response.in_progress', { response });
  }

  /** SSE text for one canonical event ('' when it produces nothing, e.g. a usage event). */
  push(event: StreamEvent): string {
    if (this.ended || event.type === 'usage') return '';
    if (event.type === 'moderated') {
      this.moderated = true;
      return this.start();
    }
    return this.start() + this.chunk(event.chunk);
  }

  /** Close every open item, then response.completed (or .incomplete) with usage and the cost in CNY. */
  finish(usage: NormalizedUsage, costCny?: string): string {
    if (this.ended) return '';
    let out = this.start();
    this.ended = true; // items closed now take the response's final status
    out += this.closeAll();
    const status = statusFor(this.finishReason, this.moderated);
    const response = this.response(status.status, status.incomplete_details, this.output(), responsesUsage(usage, costCny));
    this.finished = response;
    out += this.sse(status.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
    return out;
  }

  /** The response object of response.completed (or .incomplete), once finish() ran. */
  final(): ResponseObject | undefined {
    return this.finished;
  }

  private finished: ResponseObject | undefined;

  /** An `error` event, then response.failed; nothing follows. */
  error(error: GatewayError, usage: NormalizedUsage, costCny?: string): string {
    if (this.ended) return '';
    let out = this.start();
    this.ended = true;
    out += this.sse('error', { code: error.code, message: error.message, param: error.param });
    const response = this.response('failed', null, this.output(), responsesUsage(usage, costCny), responsesErrorBody(error));
    return out + this.sse('response.failed', { response });
  }

  private chunk(chunk: ChatChunk): string {
    const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
    if (!choice) return '';
    const delta = choice.delta ?? {};
    let out = '';
    if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') out += this.reasoningDelta(delta.reasoning_content);
    if (typeof delta.content === 'string' && delta.content !== '') out += this.textDelta(delta.content);
    for (const call of delta.tool_calls ?? []) out += this.toolDelta(call);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    return out;
  }

  private reasoningDelta(delta: string): string {
    let out = '';
    if (this.current?.item.type !== 'reasoning') {
      out += this.closeCurrent();
      const item = this.open({ type: 'reasoning', id: itemId('rs', this.options.requestId, this.items.length), summary: [] });
      out += this.added(item) + this.sse('response.reasoning_summary_part.added', { item_id: item.item.id, output_index: item.index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    const item = this.current!;
    item.text += delta;
    return out + this.sse('response.reasoning_summary_text.delta', { item_id: item.item.id, output_index: item.index, summary_index: 0, delta });
  }

  private textDelta(delta: string): string {
    let out = '';
    if (this.current?.item.type !== 'message') {
      out += this.closeCurrent();
      const item = this.open({ type: 'message', id: itemId('msg', this.options.requestId, this.items.length), status: 'in_progress', role: 'assistant', content: [] });
      out += this.added(item) + this.sse('response.content_part.added', { item_id: item.item.id, output_index: item.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
    }
    const item = this.current!;
    item.text += delta;
    return out + this.sse('response.output_text.delta', { item_id: item.item.id, output_index: item.index, content_index: 0, delta, logprobs: [] });
  }

  private toolDelta(call: ToolDelta): string {
    const toolIndex = typeof call.index === 'number' ? call.index : 0;
    let out = '';
    let item = this.calls.get(toolIndex);
    if (!item) {
      out += this.closeCurrent();
      const index = this.items.length;
      item = this.open({ type: 'function_call', id: itemId('fc', this.options.requestId, index), status: 'in_progress', call_id: call.id ?? `call_${this.options.requestId.replace(/-/g, '')}${index}`, name: call.function?.name ?? '', arguments: '' }, false);
      this.calls.set(toolIndex, item);
      out += this.added(item);
    }
    const args = call.function?.arguments ?? '';
    if (args === '') return out;
    item.text += args;
    return out + this.sse('response.function_call_arguments.delta', { item_id: item.item.id, output_index: item.index, delta: args });
  }

  private open(item: OutputItem, current = true): OpenItem {
    const open: OpenItem = { index: this.items.length, item, text: '' };
    this.items.push(open);
    if (current) this.current = open;
    return open;
  }

  private added(open: OpenItem): string {
    return this.sse('response.output_item.added', { output_index: open.index, item: open.item });
  }

  private sse(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...data })}\n\n`;
  }

  private closeCurrent(): string {
    const item = this.current;
    this.current = undefined;
    return item ? this.close(item) : '';
  }

  private closeAll(): string {
    let out = this.closeCurrent();
    for (const item of this.calls.values()) out += this.close(item);
    this.calls.clear();
    return out;
  }

  /** The .done events of one item, then output_item.done with its final form. */
  private close(open: OpenItem): string {
    const done = this.finalItem(open);
    const { id } = open.item;
    let out = '';
    if (done.type === 'message') {
      const part = done.content[0]!;
      out += this.sse('response.output_text.done', { item_id: id, output_index: open.index, content_index: 0, text: part.text, logprobs: [] });
      out += this.sse('response.content_part.done', { item_id: id, output_index: open.index, content_index: 0, part });
    } else if (done.type === 'reasoning') {
      const part = done.summary[0]!;
      out += this.sse('response.reasoning_summary_text.done', { item_id: id, output_index: open.index, summary_index: 0, text: part.text });
      out += this.sse('response.reasoning_summary_part.done', { item_id: id, output_index: open.index, summary_index: 0, part });
    } else {
      out += this.sse('response.function_call_arguments.done', { item_id: id, output_index: open.index, name: done.name, arguments: done.arguments });
    }
    return out + this.sse('response.output_item.done', { output_index: open.index, item: done });
  }

  private finalItem(open: OpenItem): OutputItem {
    const { item } = open;
    const status = this.ended && statusFor(this.finishReason, this.moderated).status === 'incomplete' ? 'incomplete' : 'completed';
    if (item.type === 'message') return { ...item, status, content: [{ type: 'output_text', text: open.text, annotations: [], logprobs: [] }] };
    if (item.type === 'reasoning') return { ...item, summary: [{ type: 'summary_text', text: open.text }] };
    return { ...item, status, arguments: open.text };
  }

  /** The output items as they stand (final once finish() ran). */
  output(): OutputItem[] {
    return this.items.map((open) => this.finalItem(open));
  }

  private response(status: 'in_progress' | 'completed' | 'incomplete' | 'failed', incomplete: ReturnType<typeof statusFor>['incomplete_details'], output: OutputItem[], usage: ReturnType<typeof responsesUsage> | null = null, error: { code: string; message: string } | null = null) {
    return responseObject(this.id, this.options.createdAt, this.options.echo, { status, incomplete_details: incomplete, output, usage, error });
  }
}
