import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { responsesSink } from '../http/responses-sink.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import type { Services } from '../pipeline/services.js';
import { GatewayError } from '../errors/catalogue.js';
import { applyPriority } from '../scheduling/scheduling-stage.js';
import { responsesRequestToChat } from '../translate/responses-inbound.js';
import { modelCallContext } from './call-context.js';
import { validateChatRequest } from './validate-chat.js';

/** Ids of the item references in a request's input, looked up before the (synchronous) translation. */
function referencedIds(body: unknown): string[] {
  const input = (body as { input?: unknown } | null)?.input;
  if (!Array.isArray(input)) return [];
  return input.flatMap((item: unknown) => {
    const { type, id } = (item ?? {}) as { type?: unknown; id?: unknown };
    return type === 'item_reference' && typeof id === 'string' && id !== '' ? [id] : [];
  });
}

/** POST /v1/responses: OpenAI's Responses API (stateless), served by any chat model or route. */
export async function createResponse(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'responses');
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const owner = context.apiKeyId ?? '';
  const items = services.responseItems;
  const known = items ? await items.getMany(owner, referencedIds(body)) : new Map();
  const { request: translated, echo, warnings } = responsesRequestToChat(body, (id) => known.get(id));
  context.warnings.push(...warnings);
  const { request, needs } = validateChatRequest(translated);
  applyPriority(services, exchange, context, services.deferred?.now());
  if (context.priority === 'deferrable') {
    throw new GatewayError('invalid_priority', 'x-tidegate-priority: deferrable is served on /v1/chat/completions (202 + job) and /v1/batches, not /v1/responses.', { param: 'x-tidegate-priority' });
  }
  await runChat(services, context, request, needs, responsesSink(exchange.response, context, echo, (output) => items?.put(owner, output)), exchange.signal);
}

/** GET/DELETE /v1/responses/{id}: nothing is stored, so there is nothing to retrieve; say so plainly. */
export async function storedResponse(_services: Services, exchange: Exchange): Promise<void> {
  throw new GatewayError('not_found', `Response ${exchange.params.id ?? ''} cannot be retrieved: Tidegate does not store responses (it serves /v1/responses as with store: false).`, { param: 'id' });
}
