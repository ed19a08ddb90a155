import type { ChatRequest, ChatResponse } from '../canonical/chat.js';
import type { RouteConfig } from '../config/types.js';
import { responseAsEvents } from '../canonical/stream-replay.js';
import { shapeChatRequest } from '../providers/request-shaping.js';
import type { RouteDecision } from '../routing/policy.js';
import { messageText } from '../tokens/estimate.js';
import { serveDecision, type ChatSink } from './chat-pipeline.js';
import { executeWithFallbacks } from './execute.js';
import type { RequestContext } from './request-context.js';
import type { Services } from './services.js';
import type { Target } from './targets.js';
import { checkArithmetic } from '../cascade/arithmetic-verifier.js';
import { judgePrompt, parseJudgeVerdict, samplesAgree } from './verifiers.js';

/** One non-streamed call; verification calls are billed to the request as side costs. */
async function answerOnce(services: Services, context: RequestContext, target: Target, body: ChatRequest, signal: AbortSignal, side: boolean) {
  const { body: shaped } = shapeChatRequest({ ...body, stream: false }, target.preset, target.model.upstream);
  const result = await target.adapter.chat({ provider: target.provider, preset: target.preset, model: target.model, body: shaped, signal, warnings: context.warnings });
  if (side) context.addSideCost(services.pricer, target.model, result.usage);
  return result;
}

/**
 * The cascade: the light model answers first (not streamed); a verifier checks it — self-consistency
 * (extra light samples must agree), a judge model's YES/NO, or the arithmetic check of the worked answer
 * (no extra call; measured on GSM8K in src/cascade/verifier-eval.ts) — and only an accepted answer is sent.
 * When the verifier doubts it, the flagship answers (streamed if asked) and the light calls are billed too.
 */
export async function runCascade(
  services: Services,
  context: RequestContext,
  request: ChatRequest,
  decision: RouteDecision,
  route: RouteConfig,
  sink: ChatSink,
  signal: AbortSignal,
): Promise<void> {
  const lightIds = new Set(route.light);
  const light: RouteDecision = { ...decision, candidates: decision.candidates.filter((model) => lightIds.has(model.id)) };
  const flagship: RouteDecision = { ...decision, candidates: decision.candidates.filter((model) => !lightIds.has(model.id)) };
  const { target, result: first } = await executeWithFallbacks(context, light, services.targets, services.breakers, signal, (candidate) => answerOnce(services, context, candidate, request, signal, false));
  const answer = first.response.choices.map((choice) => messageText(choice.message)).join('');

  let accepted: boolean;
  let why: string;
  if (route.cascade.verifier === 'arithmetic') {
    const verdict = checkArithmetic(answer);
    accepted = !verdict.doubt;
    why = `arithmetic check: ${verdict.reason}`;
  } else if (route.cascade.verifier === 'judge') {
    const judge = services.targets.get(route.cascade.judge) ?? target;
    const verdict = await answerOnce(services, context, judge, judgePrompt(request, answer, judge.model.upstream), signal, true);
    accepted = parseJudgeVerdict(verdict.response.choices.map((choice) => messageText(choice.message)).join(''));
    why = `judge ${judge.model.id} ${accepted ? 'accepted' : 'doubted'} the light answer`;
  } else {
    const temperature = request.temperature !== undefined && request.temperature > 0 ? request.temperature : 0.7;
    const others = await Promise.all(
      Array.from({ length: route.cascade.samples - 1 }, () => answerOnce(services, context, target, { ...request, temperature }, signal, true)),
    );
    const texts = [answer, ...others.map((other) => other.response.choices.map((choice) => messageText(choice.message)).join(''))];
    accepted = samplesAgree(texts);
    why = `${texts.length} light samples ${accepted ? 'agree' : 'disagree'}`;
  }

  // The answer sent is billed as the served call; the verification calls were added as side costs.
  if (accepted) {
    context.routeReason = `${decision.reason}; cascade: ${why} -> accepted`;
    context.served = { model: target.model, provider: target.provider };
    context.upstreamMs = context.elapsedMs();
    const cost = context.settle(services.pricer, first.usage);
    if (!request.stream) {
      sink.json(first.response, first.usage, cost);
      return;
    }
    context.markFirstByte();
    sink.open();
    for (const event of responseAsEvents(first.response)) sink.event(event);
    sink.close(first.usage, cost);
    return;
  }
  context.addSideCost(services.pricer, target.model, first.usage);
  context.routeReason = `${decision.reason}; cascade: ${why} -> escalated to flagship`;
  await serveDecision(services, context, request, flagship.candidates.length > 0 ? flagship : decision, sink, signal);
}
