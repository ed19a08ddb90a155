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

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

/** OpenAI refuses empty inputs (nothing to embed): "", [], and arrays holding "" or an empty token array. */
function checkInput(input: unknown): void {
  if (input === '') throw invalid('input', 'must not be empty');
  if (typeof input === 'string') return;
  if (!Array.isArray(input)) throw invalid('input', 'expected a string or a non-empty array of strings or token arrays');
  if (input.length === 0) throw invalid('input', 'must not be an empty array');
  input.forEach((item, index) => {
    if (typeof item !== 'string' && typeof item !== 'number' && !Array.isArray(item)) throw invalid(`input[${index}]`, 'expected a string, a token or a token array');
    if (item === '' || (Array.isArray(item) && item.length === 0)) throw invalid(`input[${index}]`, 'must not be empty');
  });
}

function checkOptions(record: Record<string, unknown>): void {
  const { encoding_format: format, dimensions, user } = record;
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalid('encoding_format', `invalid value ${JSON.stringify(format)}; supported values are "float" and "base64"`);
  }
  if (dimensions !== undefined && dimensions !== null && !(typeof dimensions === 'number' && Number.isInteger(dimensions) && dimensions >= 1)) {
    throw invalid('dimensions', `expected a positive integer, got ${JSON.stringify(dimensions)}`);
  }
  if (user !== undefined && user !== null && typeof user !== 'string') throw invalid('user', 'expected a string');
}

/** Validate an Embeddings body at the boundary, as OpenAI does: nothing reaches a provider that it would refuse. */
export function validateEmbeddingsRequest(body: unknown): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const record = body as Record<string, unknown>;
  if (typeof record.model !== 'string' || record.model === '') throw invalid('model', 'expected a non-empty string');
  checkInput(record.input);
  checkOptions(record);
  return record as EmbeddingsRequest;
}

function inputText(input: EmbeddingsRequest['input']): string {
  return typeof input === 'string' ? input : input.map((item) => (typeof item === 'string' ? item : ' ')).join(' ');
}

/** POST /v1/embeddings */
export async function embeddings(services: Services, exchange: Exchange): Promise<void> {
  const context = modelCallContext(exchange, 'embeddings', services.config);
  const original = validateEmbeddingsRequest(await readJsonBody(exchange.request, services.config.server.bodyLimitBytes));
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
