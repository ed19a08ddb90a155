import type { ServerResponse } from 'node:http';
import type { ChatChunk, ChatRequest } from '../canonical/chat.js';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { toWireUsage } from '../providers/openai-usage.js';
import { modelCallHeaders } from './model-headers.js';
import { sendJson } from './respond.js';

export const streamHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
  trailer: 'x-tidegate-cost-cny',
} as const;

/**
 * OpenAI-format output. Streams always end with usage and cost_cny: as OpenAI's own extra chunk
 * (`choices: []`) when the client asked for include_usage, otherwise merged into the final chunk
 * (the one carrying finish_reason, held back until usage arrives) so clients that index
 * choices[0] on every chunk never see an empty one. The cost is also sent as an HTTP trailer.
 */
export function openAiSink(response: ServerResponse, context: RequestContext, request: ChatRequest): ChatSink {
  const includeUsage = request.stream_options?.include_usage === true;
  let held: ChatChunk | undefined;
  let heldRaw: string | undefined;
  let meta = { id: `chatcmpl-${context.id}`, created: Math.floor(context.startedAt / 1000), model: request.model };
  const write = (payload: unknown, raw?: string) => response.write(`data: ${raw ?? JSON.stringify(payload)}\n\n`);
  const release = () => {
    if (held) write(held, heldRaw);
    held = undefined;
    heldRaw = undefined;
  };
  const end = (cny: string) => {
    response.addTrailers({ 'x-tidegate-cost-cny': cny });
    response.end();
  };

  return {
    json(answer, usage, cost) {
      answer.usage = toWireUsage(usage, cost.cny);
      sendJson(response, 200, context.aigc ? { ...answer, AIGC: context.aigc } : answer, modelCallHeaders(context));
    },
    open() {
      response.writeHead(200, { ...modelCallHeaders(context), ...streamHeaders });
      response.flushHeaders();
    },
    event(event) {
      if (event.type === 'chunk') {
        const { chunk } = event;
        meta = { id: chunk.id ?? meta.id, created: chunk.created ?? meta.created, model: chunk.model ?? meta.model };
        release();
        if (chunk.choices.some((choice) => choice.finish_reason)) {
          held = chunk;
          heldRaw = event.raw;
        } else write(chunk, event.raw);
      } else if (event.type === 'moderated') {
        context.warnings.push(`answer cut off by provider moderation: ${event.message}`);
        held ??= { ...meta, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'content_filter' }] };
      }
    },
    close(usage, cost) {
      const wire = toWireUsage(usage, cost.cny);
      if (includeUsage || !held) {
        release();
        write({ ...meta, object: 'chat.completion.chunk', choices: [], usage: wire });
      } else {
        held.usage = wire;
        heldRaw = undefined; // changed: serialise it again
        release();
      }
      response.write('data: [DONE]\n\n');
      end(cost.cny);
    },
    failMidStream(error, usage, cost) {
      release();
      if (!response.writableEnded && !response.destroyed) {
        write({ ...error.toJSON(), usage: toWireUsage(usage, cost.cny) });
        end(cost.cny);
      }
    },
  };
}
