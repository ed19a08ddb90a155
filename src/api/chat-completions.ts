import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { openAiSink } from '../http/openai-sink.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import type { Services } from '../pipeline/services.js';
import { modelCallContext } from './call-context.js';
import { validateChatRequest } from './validate-chat.js';
import { acceptDeferred } from './deferred-chat.js';
import { applyPriority } from '../scheduling/scheduling-stage.js';

/** POST /v1/chat/completions */
export async function chatCompletions(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'chat', services.config);
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { request, needs } = validateChatRequest(body);
  const { deadlineAt } = applyPriority(services, exchange, context, services.deferred?.now());
  if (context.priority === 'deferrable' && services.deferred) {
    await acceptDeferred(services, exchange, context, request, deadlineAt);
    return;
  }
  await runChat(services, context, request, needs, openAiSink(exchange.response, context, request), exchange.signal);
}
