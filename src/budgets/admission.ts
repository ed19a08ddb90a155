import type { ChatRequest } from '../canonical/chat.js';
import type { ModelConfig } from '../config/types.js';
import type { Principal } from '../http/auth.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Pricer } from '../pricing/pricer.js';
import { imageTokensForPart, visionFamilyFor } from '../pricing/vision-tokens.js';
import { estimateChatInputTokens } from '../tokens/chat-estimate.js';
import { tokenizerFamilyFor } from '../tokens/tokenizers.js';
import type { BudgetEnforcer, BudgetScope } from './budget-guard.js';

/** Output reserved when a request sets no max_tokens: a typical provider default ceiling. */
export const defaultMaxOutputTokens = 8192;

export interface TeamLimitsSource {
  teamLimits(team: string): Promise<{ dailyBudgetNano: number | null; monthlyBudgetNano: number | null; rpm: number | null } | undefined>;
}

/** The scopes a caller's spend counts against: its key, and its key's team when it has one. */
export async function scopesFor(principal: Principal, teams: TeamLimitsSource): Promise<BudgetScope[]> {
  if (principal.kind !== 'key') return [];
  const { limits } = principal;
  const scopes: BudgetScope[] = [{ id: `key:${principal.keyId}`, label: `Key ${principal.name}`, dailyNano: limits.dailyBudgetNano, monthlyNano: limits.monthlyBudgetNano, rpm: limits.rpm }];
  if (limits.team) {
    const team = await teams.teamLimits(limits.team);
    if (team) scopes.push({ id: `team:${limits.team}`, label: `Team ${limits.team}`, dailyNano: team.dailyBudgetNano, monthlyNano: team.monthlyBudgetNano, rpm: team.rpm });
  }
  return scopes;
}

function imageTokenEstimate(request: ChatRequest, presetId: string, model: ModelConfig): number {
  const family = visionFamilyFor(presetId, model.upstream);
  let tokens = 0;
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      if (part.type !== 'image_url') continue;
      const image = part as { image_url: { url: string; detail?: string } };
      tokens += family ? imageTokensForPart(family, image).tokens : 1024;
    }
  }
  return tokens;
}

/** Input tokens of a chat request on one model: text by the family's real tokenizer, images by its vision rule. */
export function estimateInputTokens(request: ChatRequest, presetId: string, model: ModelConfig): number {
  return estimateChatInputTokens(request, tokenizerFamilyFor(presetId, model.upstream)).tokens + imageTokenEstimate(request, presetId, model);
}

/**
 * The most a chat request can cost on any of its candidates: estimated input (real tokenizer for the
 * model's family, images by the family's rule) all uncached, plus max_tokens (or the default ceiling)
 * of output, at the price and tariff in force now.
 */
export function worstCaseChatNano(pricer: Pricer, request: ChatRequest, candidates: ReadonlyArray<{ model: ModelConfig; presetId: string }>, at: Date): number {
  const maxOutput = request.max_completion_tokens ?? request.max_tokens ?? defaultMaxOutputTokens;
  let worst = 0;
  for (const { model, presetId } of candidates) {
    const input = estimateInputTokens(request, presetId, model);
    const usage = { inputUncached: input, cacheRead: 0, cacheWrite: 0, output: maxOutput * (request.n ?? 1), reasoning: 0, imageTokens: 0, estimated: true };
    worst = Math.max(worst, pricer.cost(model, usage, at).nanoCny);
  }
  return worst;
}

/** Reserve the worst case before the call; the server settles it with the real cost when the call ends. */
export async function admit(guard: BudgetEnforcer, teams: TeamLimitsSource, principal: Principal, context: RequestContext, worstNano: () => number): Promise<void> {
  const scopes = await scopesFor(principal, teams);
  if (scopes.length === 0) return;
  context.reservation = await guard.reserve(scopes, worstNano());
}
