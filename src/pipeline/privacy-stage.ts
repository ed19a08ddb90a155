import type { ChatRequest, EmbeddingsRequest } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { GatewayConfig, ModelConfig, RouteConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { StreamEvent } from '../providers/adapter.js';
import type { Cost } from '../pricing/cost.js';
import { createPrivacyEngine, defaultProviderPolicy, placeholderSystemHint, PrivacyError, type MaskOutcome, type PrivacyEngine, type ProviderPolicy } from '../privacy/index.js';
import { stricterPolicy } from '../privacy/policy.js';
import { maskingLogger } from '../privacy/masking-logger.js';
import type { Logger } from '../logging/logger.js';
import { tenantOf } from '../cache/tenant.js';
import type { ChatSink } from './chat-pipeline.js';
import type { RequestContext } from './request-context.js';
import type { Target } from './targets.js';

/** The privacy engine from config, or undefined when privacy is off. */
export function buildPrivacyEngine(config: GatewayConfig): PrivacyEngine | undefined {
  const privacy = config.privacy;
  if (!privacy?.enabled) return undefined;
  return createPrivacyEngine({
    secret: privacy.secret,
    detection: { ...(privacy.types ? { types: privacy.types } : {}), patterns: privacy.patterns ?? [], dictionaries: privacy.dictionaries ?? [] },
    ...(privacy.provider ? { provider: privacy.provider } : {}),
    ...(privacy.log ? { log: privacy.log } : {}),
  });
}

/** The process log under the privacy log policy (privacy.log) when privacy is on; unchanged otherwise. */
export function withLogPolicy(logger: Logger, config: GatewayConfig): Logger {
  const engine = buildPrivacyEngine(config);
  return engine ? maskingLogger(logger, engine) : logger;
}

function asGatewayError(error: PrivacyError): GatewayError {
  return new GatewayError(error.code, error.message);
}

/**
 * The provider policy for one request: the route's (or the global one), tightened by the calling key's
 * own policy (privacy.keys, by key name) when it has one.
 */
export function effectivePolicy(config: GatewayConfig, context: RequestContext, route: RouteConfig | undefined): ProviderPolicy {
  const base = route?.privacy ?? config.privacy?.provider ?? defaultProviderPolicy;
  const principal = context.principal;
  return stricterPolicy(base, principal.kind === 'key' ? config.privacy?.keys?.[principal.name] : undefined);
}

/**
 * Personal data kept in clear for on-premises models must not be written to the response caches (stores
 * on disk or in Redis); masked requests are cached as masked text, which holds placeholders only.
 */
export function keepsClearData(outcome: MaskOutcome): boolean {
  return outcome.onPremisesRequired;
}

/**
 * Masks personal data in the request before anything else sees it (router, caches, providers), with the
 * route's policy (tightened by the key's) when it has one. Returns the masked request and the outcome.
 */
export async function maskRequest(engine: PrivacyEngine, config: GatewayConfig, context: RequestContext, request: ChatRequest, route: RouteConfig | undefined, conversation: string | undefined): Promise<{ request: ChatRequest; outcome: MaskOutcome }> {
  let outcome: MaskOutcome;
  try {
    outcome = await engine.maskMessages(request.messages, {
      tenant: tenantOf(context.principal),
      conversation: conversation ?? engine.conversationId(request.messages),
      policy: effectivePolicy(config, context, route),
    });
  } catch (error) {
    if (error instanceof PrivacyError) throw asGatewayError(error);
    throw error;
  }
  context.privacyFindings = outcome.findings.map((finding) => `${finding.type}:${finding.action}×${finding.count}`).join(',') || undefined;
  if (keepsClearData(outcome)) context.cacheDirective = 'bypass';
  let messages = outcome.messages;
  if (config.privacy?.hint && outcome.restorer.size > 0) messages = [{ role: 'system', content: placeholderSystemHint }, ...messages];
  return { request: { ...request, messages }, outcome };
}

/**
 * Embeddings inputs get the same provider policy as chat. Vectors cannot be restored, so placeholders use one
 * conversation per tenant: the same value always embeds as the same placeholder for that tenant, and
 * lookups against stored vectors keep working. Token-id inputs are opaque and pass as they are.
 */
export async function maskEmbeddingsRequest(engine: PrivacyEngine, config: GatewayConfig, context: RequestContext, request: EmbeddingsRequest): Promise<{ request: EmbeddingsRequest; outcome: MaskOutcome }> {
  const texts = typeof request.input === 'string' ? [request.input] : request.input.map((item) => (typeof item === 'string' ? item : undefined));
  const slots = texts.flatMap((text, index) => (text === undefined ? [] : [index]));
  let outcome: MaskOutcome;
  try {
    outcome = await engine.maskMessages(slots.map((index) => ({ role: 'user' as const, content: texts[index]! })), {
      tenant: tenantOf(context.principal),
      conversation: 'embeddings',
      policy: effectivePolicy(config, context, undefined),
    });
  } catch (error) {
    if (error instanceof PrivacyError) throw asGatewayError(error);
    throw error;
  }
  context.privacyFindings = outcome.findings.map((finding) => `${finding.type}:${finding.action}×${finding.count}`).join(',') || undefined;
  const masked = outcome.messages.map((message) => message.content as string);
  if (typeof request.input === 'string') return { request: { ...request, input: masked[0]! }, outcome };
  const input = [...request.input] as unknown[];
  slots.forEach((index, position) => { input[index] = masked[position]; });
  return { request: { ...request, input: input as EmbeddingsRequest['input'] }, outcome };
}

/** Only on-premises models may serve a request whose data must stay on-premises; none left is a clear error. */
export function onPremisesCandidates(outcome: MaskOutcome, candidates: readonly ModelConfig[], targets: ReadonlyMap<string, Target>): ModelConfig[] {
  if (!outcome.onPremisesRequired) return [...candidates];
  const allowed = candidates.filter((model) => targets.get(model.id)?.provider.onPremises === true);
  if (allowed.length === 0) {
    const types = outcome.onPremisesTypes.length > 0 ? ` (${outcome.onPremisesTypes.join(', ')})` : '';
    throw new GatewayError('pii_requires_on_premises', `The request contains personal data${types} that may only be sent to on-premises models, and none is configured for this model or route.`);
  }
  return allowed;
}

/** A sink that puts the original values back in place of placeholders, in whole answers and in streams. */
export function restoringSink(sink: ChatSink, outcome: MaskOutcome): ChatSink {
  const { restorer } = outcome;
  if (restorer.size === 0) return sink;
  const stream = restorer.chunkStream();
  const flush = () => {
    const rest = stream.flush();
    if (rest) sink.event({ type: 'chunk', chunk: rest });
  };
  return {
    json: (response, usage: NormalizedUsage, cost: Cost) => sink.json(restorer.restoreResponse(response), usage, cost),
    open: () => sink.open(),
    event: (event: StreamEvent) => {
      if (event.type !== 'chunk') {
        flush();
        sink.event(event);
        return;
      }
      const restored = stream.restoreChunk(event.chunk);
      sink.event(restored === event.chunk ? event : { type: 'chunk', chunk: restored });
    },
    close: (usage, cost) => {
      flush();
      sink.close(usage, cost);
    },
    failMidStream: (error, usage, cost) => {
      flush();
      sink.failMidStream(error, usage, cost);
    },
  };
}
