import type { ChatRequest, ChatResponse } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { GatewayError, asGatewayError } from '../errors/catalogue.js';
import type { StreamEvent, UpstreamCall } from '../providers/adapter.js';
import type { ReplicaLease } from '../affinity/replica-set.js';
import { shapeChatRequest } from '../providers/request-shaping.js';
import type { Cost } from '../pricing/cost.js';
import { decideRoute, type RequestNeeds, type RouteDecision } from '../routing/policy.js';
import { runCascade } from './cascade.js';
import { tenantOf } from '../cache/tenant.js';
import { StreamRecorder } from '../canonical/stream-replay.js';
import { answerFromCache, remember, wantsAnswer } from './cache-stage.js';
import { maskRequest, onPremisesCandidates, restoringSink } from './privacy-stage.js';
import { aigcSink } from '../aigc/label-sink.js';
import { filedCandidates } from '../aigc/filing-policy.js';
import type { MaskOutcome } from '../privacy/index.js';
import { estimateChatInputTokens } from '../tokens/chat-estimate.js';
import { estimatePromptTokens, messageText } from '../tokens/estimate.js';
import { countTextTokens, tokenizerFamilyFor } from '../tokens/tokenizers.js';
import { admit, worstCaseChatNano } from '../budgets/admission.js';
import { executeWithFallbacks } from './execute.js';
import { admitAttempt, admitToModel, usedTokens } from '../scheduling/scheduling-stage.js';
import type { RequestContext } from './request-context.js';
import type { Services } from './services.js';
import type { Target } from './targets.js';

/** Where an answer goes: the OpenAI and Anthropic HTTP encoders implement this. */
export interface ChatSink {
  json(response: ChatResponse, usage: NormalizedUsage, cost: Cost): void;
  /** Called once, before the first streamed event: headers may be written now. */
  open(): void;
  event(event: StreamEvent): void;
  /** The stream ended (normally or by moderation); usage is final. */
  close(usage: NormalizedUsage, cost: Cost): void;
  /** A failure after open(): the stream ends with an error event; usage is what was produced. */
  failMidStream(error: GatewayError, usage: NormalizedUsage, cost: Cost): void;
}

/** Usage counted by Tidegate when the provider sent none (a cut stream): the model family's real tokenizer, marked estimated. */
function estimateUsage(request: ChatRequest, outputText: string, target: Target): NormalizedUsage {
  const family = tokenizerFamilyFor(target.preset.id, target.model.upstream);
  const input = estimateChatInputTokens(request, family).tokens;
  return { inputUncached: input, cacheRead: 0, cacheWrite: 0, output: countTextTokens(family, outputText), reasoning: 0, imageTokens: 0, estimated: true };
}

function shapeFor(services: Services, context: RequestContext, request: ChatRequest, target: Target): ChatRequest {
  const { body, warnings } = shapeChatRequest(request, target.preset, target.model.upstream);
  for (const warning of warnings) if (!context.warnings.includes(warning)) context.warnings.push(warning);
  return services.promptCache.shape(body, target.preset, tenantOf(context.principal));
}

/**
 * The chat stage sequence: route (pure policy) → execute with retries, fallbacks and circuits →
 * normalise usage → price → hand to the sink. Streams commit to a target only after its first event.
 */
export async function runChat(
  services: Services,
  context: RequestContext,
  original: ChatRequest,
  needs: RequestNeeds,
  clientSink: ChatSink,
  signal: AbortSignal,
): Promise<void> {
  context.modelRequested = original.model;
  context.stream = original.stream === true;
  // Privacy first: nothing after this point (router, caches, providers) sees unmasked personal data.
  let request = original;
  // The AIGC stage sits next to the client: labels go on restored text, fresh or replayed from a cache.
  let sink = services.aigc ? aigcSink(services.aigc, context, clientSink) : clientSink;
  let privacy: MaskOutcome | undefined;
  if (services.privacy) {
    ({ request, outcome: privacy } = await maskRequest(services.privacy, services.config, context, original, services.routing.routes.get(original.model), context.sessionId));
    sink = restoringSink(sink, privacy);
  }
  // Capture (opt-in) keeps the masked request and the answer as the provider wrote it, before restoration.
  if (services.flywheel) sink = services.flywheel.capture(context, request, sink);
  // A live experiment (src/experiments/) may give the request an arm: a model to serve it, or a router version for the route.
  const arm = services.experiments?.assign(context, request.model);
  const router = arm?.router ?? services.router;
  const policy = decideRoute(services.routing, arm?.arm.model ?? request.model, { ...needs, promptTokens: estimatePromptTokens(request.messages) }, {
    scenario: context.scenario,
    signal: router ? () => router.signal(request.messages) : undefined,
  });
  const routed = arm ? { ...policy, reason: `${arm.reason}: ${policy.reason}` } : policy;
  const kept = privacy ? { ...routed, candidates: onPremisesCandidates(privacy, routed.candidates, services.targets) } : routed;
  const decision = { ...kept, candidates: filedCandidates(services.config, services.routing.routes.get(original.model), kept.candidates) };
  context.routeReason = decision.reason;
  context.route = decision.route;
  context.routeFlagship = decision.route ? services.routing.routes.get(decision.route.id)?.flagship[0] : undefined;
  const route = decision.route ? services.routing.routes.get(decision.route.id) : undefined;
  const cascade = route?.cascade.enabled === true && decision.route?.tier === 'light';
  const primary = decision.candidates[0] ? services.targets.get(decision.candidates[0].id) : undefined;
  if (await answerFromCache(services, context, request, primary, route, cascade, sink)) return;
  await admit(services.budgets.guard, services.budgets.teams, context.principal, context, () => {
    const worst = worstCaseChatNano(services.pricer, request, decision.candidates.map((model) => ({ model, presetId: services.targets.get(model.id)?.preset.id ?? '' })), new Date(context.startedAt));
    return cascade ? worst * (1 + route!.cascade.samples) : worst; // light samples and a judge, then maybe the flagship
  });
  // Admission (scheduling/): wait for a slot on the primary model in the request's class; held to the last byte.
  const permit = await admitToModel(services, context, primary?.model, request, signal);
  try {
    if (cascade) {
      await runCascade(services, context, request, decision, route!, sink, signal);
      return;
    }
    await serveDecision(services, context, request, decision, sink, signal);
  } finally {
    permit.release(usedTokens(context));
  }
}

/** Serve a routing decision: execute with retries and fallbacks, stream or not, settle the cost. */
export async function serveDecision(
  services: Services,
  context: RequestContext,
  request: ChatRequest,
  decision: RouteDecision,
  sink: ChatSink,
  signal: AbortSignal,
): Promise<void> {
  // A provider with replicas lends one per attempt (prefix affinity); the lease ends with the attempt.
  let lease: ReplicaLease | undefined;
  const call = (target: Target) => {
    lease?.release();
    lease = target.replicas?.lease(request, context.sessionId ?? request.user ?? (request.prompt_cache_key as string | undefined));
    if (lease) context.replica = `${target.replicas!.indexOf(lease.replica)} (${lease.reason})`;
    return { provider: lease?.provider ?? target.provider, preset: target.preset, model: target.model, body: shapeFor(services, context, request, target), signal, warnings: context.warnings };
  };
  let answer: string | undefined;
  try {
    answer = await execute(services, context, request, decision, sink, signal, call);
  } finally {
    // The replica's KV cache now also holds the answer: the next turn's prefix (prompt + answer) is indexed too.
    lease?.release(answer);
  }
}

async function execute(
  services: Services,
  context: RequestContext,
  request: ChatRequest,
  decision: RouteDecision,
  sink: ChatSink,
  signal: AbortSignal,
  call: (target: Target) => UpstreamCall<ChatRequest>,
): Promise<string | undefined> {

  if (!context.stream) {
    const { target, result } = await executeWithFallbacks(context, decision, services.targets, services.breakers, signal, async (target) => {
      await admitAttempt(context, target.model); // a fallback takes a slot on its own model
      return target.adapter.chat(call(target));
    });
    context.served = { model: target.model, provider: target.provider };
    context.upstreamMs = context.elapsedMs();
    const text = result.response.choices.map((choice) => messageText(choice.message)).join('');
    const usage = result.usage.estimated ? estimateUsage(request, text, target) : result.usage;
    sink.json(result.response, usage, context.settle(services.pricer, usage));
    remember(services, context, result.response, usage);
    return contentOf(result.response.choices[0]?.message.content);
  }

  const { target, result: opened } = await executeWithFallbacks(context, decision, services.targets, services.breakers, signal, async (target) => {
    await admitAttempt(context, target.model);
    const iterator = target.adapter.chatStream(call(target))[Symbol.asyncIterator]();
    const first = await iterator.next();
    return { iterator, first };
  });
  context.served = { model: target.model, provider: target.provider };
  context.markFirstByte();
  sink.open();
  let usage: NormalizedUsage | undefined;
  let outputText = '';
  let firstContent = ''; // choice 0's content only: what the next turn renders as the assistant message
  const recorder = wantsAnswer(context) ? new StreamRecorder() : undefined;
  let moderated = false;
  const accept = (event: StreamEvent) => {
    if (event.type === 'usage') {
      usage = event.usage;
      return;
    }
    if (event.type === 'moderated') moderated = true;
    if (event.type === 'chunk') {
      recorder?.add(event.chunk);
      for (const choice of event.chunk.choices) {
        const { delta } = choice;
        outputText += (delta.content ?? '') + (delta.reasoning_content ?? '');
        if (choice.index === 0) firstContent += delta.content ?? '';
        for (const call of delta.tool_calls ?? []) outputText += call.function?.arguments ?? '';
      }
    }
    sink.event(event);
  };
  try {
    let step = opened.first;
    while (!step.done) {
      accept(step.value);
      step = await opened.iterator.next();
    }
    context.upstreamMs = context.elapsedMs();
    const final = usage ?? estimateUsage(request, outputText, target);
    sink.close(final, context.settle(services.pricer, final));
    // A stream is stored only when it ended on its own: every choice finished, no moderation cut-off.
    if (recorder?.finished && !moderated) remember(services, context, recorder.response(), final);
    return firstContent;
  } catch (thrown) {
    const final = usage ?? estimateUsage(request, outputText, target);
    const cost = context.settle(services.pricer, final);
    if (signal.aborted) {
      context.status = 499; // the client left; what was produced is still billed
      return;
    }
    const error = asGatewayError(thrown);
    context.status = error.status;
    context.errorCode = error.code;
    sink.failMidStream(error, final, cost);
  }
}

function contentOf(content: unknown): string | undefined {
  return typeof content === 'string' ? content : undefined;
}
