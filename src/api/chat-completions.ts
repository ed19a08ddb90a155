import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { openAiSink } from '../http/openai-sink.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import { keyIdOf } from './principal.js';
import { validateChatRequest } from './validate-chat.js';

/** POST /v1/chat/completions */
export async function chatCompletions(services: Services, exchange: Exchange): Promise<void> {
  const context = new RequestContext('chat', keyIdOf(exchange.principal), exchange.request.socket.remoteAddress);
  exchange.context = context;
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { request, needs } = validateChatRequest(body);
  await runChat(services, context, request, needs, openAiSink(exchange.response, context, request), exchange.signal);
}
