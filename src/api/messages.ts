import { anthropicSink } from '../http/anthropic-sink.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import type { Services } from '../pipeline/services.js';
import { modelCallContext } from './call-context.js';
import { messagesRequestToChat } from '../translate/anthropic-inbound.js';
import { validateChatRequest } from './validate-chat.js';

/** POST /v1/messages: Anthropic's Messages API in, served by any provider. */
export async function anthropicMessages(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'messages');
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { request: translated, warnings } = messagesRequestToChat(body);
  context.warnings.push(...warnings);
  const { request, needs } = validateChatRequest(translated);
  await runChat(services, context, request, needs, anthropicSink(exchange.response, context, request.model), exchange.signal);
}
