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
import { estimateInputTokens } from '../budgets/admission.js';
import { sendJson } from '../http/respond.js';

/** POST /v1/messages: Anthropic's Messages API in, served by any provider. */
export async function anthropicMessages(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'messages', services.config);
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { request: translated, warnings } = messagesRequestToChat(body);
  context.warnings.push(...warnings);
  const { request, needs } = validateChatRequest(translated, { maxStop: Number.POSITIVE_INFINITY }); // Anthropic's stop_sequences have no cap of 4
  applyPriority(services, exchange, context, services.deferred?.now());
  if (context.priority === 'deferrable') {
    // Anthropic clients expect a message, not a job: deferred work goes through /v1/chat/completions or /v1/batches.
    throw new GatewayError('invalid_priority', 'x-tidegate-priority: deferrable is served on /v1/chat/completions (202 + job) and /v1/batches, not /v1/messages.', { param: 'x-tidegate-priority' });
  }
  await runChat(services, context, request, needs, anthropicSink(exchange.response, context, request.model), exchange.signal);
}

/**
 * POST /v1/messages/count_tokens: the input tokens of a Messages request on the model it names, counted with
 * that model family's real tokenizer (images by its vision rule), as Claude Code and `messages.countTokens` ask
 * before sending. For a route (e.g. `auto`) the count is the largest over its candidates. Nothing is sent
 * upstream and nothing is billed.
 */
export async function countMessageTokens(services: Services, exchange: Exchange): Promise<void> {
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  // count_tokens takes no max_tokens; the translation wants one.
  const withLimit = typeof body === 'object' && body !== null && !Array.isArray(body) ? { max_tokens: 1, ...body, stream: false } : body;
  const { request: translated } = messagesRequestToChat(withLimit);
  const { request } = validateChatRequest(translated, { maxStop: Number.POSITIVE_INFINITY }); // Anthropic's stop_sequences have no cap of 4
  const route = services.routing.routes.get(request.model);
  const names = route ? [...route.light, ...route.flagship] : [request.model];
  const targets = names.flatMap((name) => services.targets.get(name) ?? []);
  if (targets.length === 0) {
    throw new GatewayError('model_not_found', `The model "${request.model}" is not configured. GET /v1/models lists the available ones.`, { param: 'model' });
  }
  const tokens = Math.max(...targets.map((target) => estimateInputTokens(request, target.preset.id, target.model)));
  sendJson(exchange.response, 200, { input_tokens: tokens });
}
