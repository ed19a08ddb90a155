import type { ChatRequest } from '../canonical/chat.js';
import type { ModelConfig } from '../config/types.js';
import type { Exchange } from '../http/exchange.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import { estimatePromptTokens } from '../tokens/estimate.js';
import type { Permit } from './admission-controller.js';
import { parseDeadline, parsePriorityHeader, resolvePriority } from './priority.js';

/** Contexts whose slot was taken before the pipeline ran (deferred jobs take theirs in the runner). */
const preAdmitted = new WeakSet<RequestContext>();

const noPermit: Permit = { queueMs: 0, release: () => undefined };

/**
 * The priority of a model call: x-tidegate-priority, else the scenario's default, clamped to the key's
 * entitlement (recorded on the context: a downgrade shows in x-tidegate-priority and the log). Returns the
 * deadline for deferrable work (x-tidegate-deadline, else the scenario's, else scheduling.defaultDeadlineHours).
 */
export function applyPriority(services: Services, exchange: Exchange, context: RequestContext, now: number = Date.now()): { deadlineAt: number } {
  const headers = exchange.request.headers;
  const requested = parsePriorityHeader(headers['x-tidegate-priority']);
  const scenario = context.scenario === undefined ? undefined : services.config.scenarios[context.scenario];
  const cap = exchange.principal.kind === 'key' ? exchange.principal.limits.maxPriority : null;
  const resolved = resolvePriority(requested, scenario, cap);
  context.priority = resolved.priority;
  context.priorityDowngradedFrom = resolved.downgradedFrom;
  const deadlineAt = parseDeadline(headers['x-tidegate-deadline'], now, scenario) ?? now + services.config.scheduling.defaultDeadlineHours * 3_600_000;
  return { deadlineAt };
}

/** Tokens a call is expected to take from the model's minute budget: the prompt plus the answer it may produce. */
export function expectedTokens(request: ChatRequest): number {
  const answer = request.max_completion_tokens ?? request.max_tokens ?? 1_024;
  return estimatePromptTokens(request.messages) + (typeof answer === 'number' ? answer : 1_024);
}

/** Mark a context whose slot the deferred-work runner already holds. */
export function markPreAdmitted(context: RequestContext): void {
  preAdmitted.add(context);
}

/** The slot a call holds, per context: moved to a fallback model when the executor tries one. */
const slots = new WeakMap<RequestContext, ModelSlot>();

/**
 * One slot at a time on the model being called. The first attempt uses the slot taken on the route's first
 * choice; when the executor falls back to another model, the slot on the failed model is given back and one is
 * taken on the fallback, in the same class (its own concurrency and tokens per minute apply; a full queue there
 * is that model's 429).
 */
class ModelSlot implements Permit {
  constructor(
    private readonly services: Services,
    private readonly context: RequestContext,
    private readonly request: ChatRequest,
    private readonly signal: AbortSignal,
    private permit: Permit,
    private modelId: string | undefined,
  ) {}

  get queueMs(): number {
    return this.permit.queueMs;
  }

  async moveTo(model: ModelConfig): Promise<void> {
    const scheduler = this.services.scheduler;
    if (!scheduler || model.id === this.modelId) return;
    this.permit.release(0); // the failed attempt's model is free again; it used no tokens worth counting
    this.permit = noPermit;
    this.modelId = model.id;
    const next = await scheduler.acquire(model.id, this.context.priority === 'interactive' ? 'interactive' : 'standard', expectedTokens(this.request), this.signal);
    this.context.queueMs = (this.context.queueMs ?? 0) + next.queueMs;
    this.permit = next;
  }

  release(actualTokens?: number): void {
    this.permit.release(actualTokens);
  }
}

/**
 * Pipeline stage (before execution): wait for a slot on the model the route chose, in the request's class.
 * The wait is recorded (x-tidegate-queue-ms, the log); a full queue or a long wait is a 429 with Retry-After.
 */
export async function admitToModel(services: Services, context: RequestContext, model: ModelConfig | undefined, request: ChatRequest, signal: AbortSignal): Promise<Permit> {
  const scheduler = services.scheduler;
  if (!scheduler || !model || preAdmitted.has(context)) return noPermit;
  const permit = await scheduler.acquire(model.id, context.priority === 'interactive' ? 'interactive' : 'standard', expectedTokens(request), signal);
  context.queueMs = permit.queueMs;
  const slot = new ModelSlot(services, context, request, signal, permit, model.id);
  slots.set(context, slot);
  return slot;
}

/** Before each attempt: make sure the call holds a slot on the model it is about to call (fallbacks included). */
export async function admitAttempt(context: RequestContext, model: ModelConfig): Promise<void> {
  await slots.get(context)?.moveTo(model);
}

/** The tokens a finished call really used, for the model's minute window. */
export function usedTokens(context: RequestContext): number | undefined {
  const usage = context.usage;
  return usage ? usage.inputUncached + usage.cacheRead + usage.cacheWrite + usage.output : undefined;
}
