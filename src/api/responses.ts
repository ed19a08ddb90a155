import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import { responsesSink } from '../http/responses-sink.js';
import { runChat } from '../pipeline/chat-pipeline.js';
import type { Services } from '../pipeline/services.js';
import { GatewayError } from '../errors/catalogue.js';
import { applyPriority } from '../scheduling/scheduling-stage.js';
import { outputItemsToMessages, responsesRequestToChat } from '../translate/responses-inbound.js';
import type { StoredValue } from '../translate/responses-items.js';
import type { ResponseObject } from '../translate/responses-types.js';
import { callerKeyId, modelCallContext } from './call-context.js';
import { validateChatRequest } from './validate-chat.js';

/** Ids the request refers to (item references, previous_response_id), looked up before the (synchronous) translation. */
function referencedIds(body: unknown): string[] {
  const { input, previous_response_id: previous } = (body ?? {}) as { input?: unknown; previous_response_id?: unknown };
  const ids = typeof previous === 'string' && previous !== '' ? [previous] : [];
  if (!Array.isArray(input)) return ids;
  for (const item of input) {
    const { type, id } = (item ?? {}) as { type?: unknown; id?: unknown };
    if (type === 'item_reference' && typeof id === 'string' && id !== '') ids.push(id);
  }
  return ids;
}

/**
 * POST /v1/responses: OpenAI's Responses API, served by any chat model or route. Unless the client sends
 * `store: false`, the answer is kept (services.responseItems: bounded, an hour) for previous_response_id, item
 * references and GET.
 */
export async function createResponse(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'responses', services.config);
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const owner = context.apiKeyId ?? '';
  const items = services.responseItems;
  const known: Map<string, StoredValue> = items ? await items.getMany(owner, referencedIds(body)) : new Map();
  const previousId = (body as { previous_response_id?: unknown } | null)?.previous_response_id;
  const previous = typeof previousId === 'string' ? known.get(previousId) : undefined;
  const { request: translated, echo, warnings, conversation, store } = responsesRequestToChat(
    body,
    (id) => { const value = known.get(id); return value && value.type !== 'response' ? value : undefined; },
    previous?.type === 'response' ? previous.conversation : undefined,
  );
  context.warnings.push(...warnings);
  if (store && !items) {
    echo.store = false;
    context.warnings.push('responses.keepMs is 0 on this gateway: the answer is not kept (no previous_response_id, item references or GET later)');
  }
  const { request, needs } = validateChatRequest(translated);
  applyPriority(services, exchange, context, services.deferred?.now());
  if (context.priority === 'deferrable') {
    throw new GatewayError('invalid_priority', 'x-tidegate-priority: deferrable is served on /v1/chat/completions (202 + job) and /v1/batches, not /v1/responses.', { param: 'x-tidegate-priority' });
  }
  const keep = (answer: ResponseObject) => {
    if (!items || !store) return;
    items.put(owner, [...answer.output, { type: 'response', id: answer.id, response: answer, conversation: [...conversation, ...outputItemsToMessages(answer.output)] }]);
  };
  await runChat(services, context, request, needs, responsesSink(exchange.response, context, echo, keep), exchange.signal);
}

/** The kept response this request names, for its key; throws not_found when there is none. */
async function keptResponse(services: Services, exchange: Exchange): Promise<{ owner: string; id: string; response: ResponseObject }> {
  const id = exchange.params.id ?? '';
  const owner = callerKeyId(exchange.principal) ?? '';
  const value = (await services.responseItems?.getMany(owner, [id]))?.get(id);
  if (value?.type !== 'response') throw notKept(id);
  return { owner, id, response: value.response };
}

const notKept = (id: string) => new GatewayError('not_found', `Response ${id} is not kept here: responses are kept for responses.keepMs (an hour by default; in memory, and in Redis in cluster mode), unless created with store: false.`, { param: 'id' });

/** GET /v1/responses/{id}: a response kept within the last hour, for the key that created it. */
export async function retrieveResponse(services: Services, exchange: Exchange): Promise<void> {
  sendJson(exchange.response, 200, (await keptResponse(services, exchange)).response);
}

/** DELETE /v1/responses/{id}: forget a kept response (its items expire on their own). */
export async function deleteResponse(services: Services, exchange: Exchange): Promise<void> {
  const { owner, id } = await keptResponse(services, exchange);
  if (!(await services.responseItems!.delete(owner, id))) throw notKept(id);
  sendJson(exchange.response, 200, { id, object: 'response', deleted: true });
}
