import type { EmbeddingsRequest } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { modelCallHeaders } from '../http/model-headers.js';
import { sendJson } from '../http/respond.js';
import { executeWithFallbacks } from '../pipeline/execute.js';
import type { Services } from '../pipeline/services.js';
import { modelCallContext } from './call-context.js';
import { admit } from '../budgets/admission.js';
import { decideRoute } from '../routing/policy.js';
import { estimateTextTokens } from '../tokens/estimate.js';
import { maskEmbeddingsRequest, onPremisesCandidates } from '../pipeline/privacy-stage.js';

function validate(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') throw new GatewayError('invalid_request', 'model: expected a non-empty string', { param: 'model' });
  const { input } = record;
  const valid = typeof input === 'string' || (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === 'string' || typeof item === 'number' || Array.isArray(item)));
  if (!valid) throw new GatewayError('invalid_request', 'input: expected a string or a non-empty array of strings or token arrays', { param: 'input' });
  return record as EmbeddingsRequest;
}

function inputText(input: EmbeddingsRequest['input']): string {
  return typeof input === 'string' ? input : input.map((item) => (typeof item === 'string' ? item : ' ')).join(' ');
}

/** POST /v1/embeddings */
export async function embeddings(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'embeddings');
  const original = validate(await readJsonBody(exchange.request, services.config.server.bodyLimitBytes));
  context.modelRequested = original.model;
  // Privacy first, as for chat: the provider sees masked inputs; on-premises-only inputs keep on-prem candidates.
  const masked = services.privacy ? await maskEmbeddingsRequest(services.privacy, services.config, context, original) : undefined;
  const request = masked?.request ?? original;
  const routed = decideRoute(services.routing, request.model, { kind: 'embedding', vision: false, tools: false });
  const decision = masked ? { ...routed, candidates: onPremisesCandidates(masked.outcome, routed.candidates, services.targets) } : routed;
  context.routeReason = decision.reason;
  await admit(services.budgets.guard, services.budgets.teams, context.principal, context, () => {
    const usage = { inputUncached: estimateTextTokens(inputText(request.input)), cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: true };
    return Math.max(...decision.candidates.map((model) => services.pricer.cost(model, usage, new Date(context.startedAt)).nanoCny));
  });
  const { target, result } = await executeWithFallbacks(context, decision, services.targets, services.breakers, exchange.signal, (target) =>
    target.adapter.embeddings({ provider: target.provider, preset: target.preset, model: target.model, body: { ...request, model: target.model.upstream }, signal: exchange.signal }),
  );
  context.served = { model: target.model, provider: target.provider };
  context.upstreamMs = context.elapsedMs();
  const usage = result.usage.estimated ? { ...result.usage, inputUncached: estimateTextTokens(inputText(request.input)) } : result.usage;
  const cost = context.settle(services.pricer, usage);
  const prompt = usage.inputUncached + usage.cacheRead;
  const response = { ...result.response, usage: { prompt_tokens: prompt, total_tokens: prompt, cost_cny: cost.cny } };
  sendJson(exchange.response, 200, response, modelCallHeaders(context));
}
