import type { ServerResponse } from 'node:http';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { MessagesStreamEncoder } from '../translate/anthropic-inbound-stream.js';
import { chatResponseToMessage } from '../translate/anthropic-inbound.js';
import { modelCallHeaders } from './model-headers.js';
import { streamHeaders } from './openai-sink.js';
import { sendJson } from './respond.js';

/** Anthropic Messages output for /v1/messages, whatever provider served it. */
export function anthropicSink(response: ServerResponse, context: RequestContext, requestedModel: string): ChatSink {
  const encoder = new MessagesStreamEncoder({ model: requestedModel, id: `msg_${context.id.replace(/-/g, '')}` });
  const end = (cny: string) => {
    response.addTrailers({ 'x-tidegate-cost-cny': cny });
    response.end();
  };
  return {
    json(answer, usage, cost) {
      const message = { ...chatResponseToMessage(answer, usage, requestedModel), cost_cny: cost.cny, ...(context.aigc ? { AIGC: context.aigc } : {}) };
      sendJson(response, 200, message, modelCallHeaders(context));
    },
    open() {
      response.writeHead(200, { ...modelCallHeaders(context), ...streamHeaders });
      response.flushHeaders();
    },
    event(event) {
      if (event.type === 'moderated') context.warnings.push(`answer cut off by provider moderation: ${event.message}`);
      const text = encoder.push(event);
      if (text) response.write(text);
    },
    close(usage, cost) {
      response.write(encoder.finish(usage, { costCny: cost.cny }));
      end(cost.cny);
    },
    failMidStream(error, _usage, cost) {
      if (response.writableEnded || response.destroyed) return;
      response.write(encoder.error(error));
      end(cost.cny);
    },
  };
}
