import type { ServerResponse } from 'node:http';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { chatResponseToResponse } from '../translate/responses-inbound.js';
import { ResponsesStreamEncoder } from '../translate/responses-inbound-stream.js';
import type { ResponseEcho, ResponseObject } from '../translate/responses-types.js';
import { modelCallHeaders } from './model-headers.js';
import { streamHeaders } from './openai-sink.js';
import { sendJson } from './respond.js';

/** OpenAI Responses output for /v1/responses, whatever provider served it. */
export function responsesSink(response: ServerResponse, context: RequestContext, echo: ResponseEcho, keep: (answer: ResponseObject) => void): ChatSink {
  const ids = { requestId: context.id, createdAt: Math.floor(context.startedAt / 1000) };
  const encoder = new ResponsesStreamEncoder({ ...ids, echo });
  const end = (cny: string) => {
    response.addTrailers({ 'x-tidegate-cost-cny': cny });
    response.end();
  };
  return {
    json(answer, usage, cost) {
      const body = chatResponseToResponse(answer, usage, echo, ids, cost.cny);
      keep(body);
      sendJson(response, 200, context.aigc ? { ...body, AIGC: context.aigc } : body, modelCallHeaders(context));
    },
    open() {
      response.writeHead(200, { ...modelCallHeaders(context), ...streamHeaders });
      response.write(encoder.start());
    },
    event(event) {
      if (event.type === 'moderated') context.warnings.push(`answer cut off by provider moderation: ${event.message}`);
      const text = encoder.push(event);
      if (text) response.write(text);
    },
    close(usage, cost) {
      response.write(encoder.finish(usage, cost.cny));
      const final = encoder.final();
      if (final) keep(final);
      end(cost.cny);
    },
    failMidStream(error, usage, cost) {
      if (response.writableEnded || response.destroyed) return;
      response.write(encoder.error(error, usage, cost.cny));
      end(cost.cny);
    },
  };
}
