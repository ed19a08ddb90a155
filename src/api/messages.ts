import { anthropicSink } from '../http/anthropic-sink.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import type { Services } from '../pipeline/services.js';
import { modelCallContext } from './call-context.js';
import { messagesRequestToChat } from '../translate/anthropic-inbound.js';
import { validateChatRequest } from './validate-chat.js';
import { GatewayError } from '../errors/catalogue.js';
import { applyPriority } from '../scheduling/scheduling-stage.js';

/** POST /v1/messages: Anthropic's Messages API in, served by any provider. */
export async function anthropicMessages(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'messages');
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { request: translated, warnings } = messagesRequestToChat(body);
  context.warnings.push(...warnings);
  const { request, needs } = validateChatRequest(translated);
  applyPriority(services, exchange, context, services.deferred?.now());
  if (context.priority === 'deferrable') {
    // Anthropic clients expect a message, not a job: deferred work goes through /v1/chat/completions or /v1/batches.
    throw new GatewayError('invalid_priority', 'x-tidegate-priority: deferrable is served on /v1/chat/completions (202 + job) and /v1/batches, not /v1/messages.', { param: 'x-tidegate-priority' });
  }
  await runChat(services, context, request, needs, anthropicSink(exchange.response, context, request.model), exchange.signal);
}
