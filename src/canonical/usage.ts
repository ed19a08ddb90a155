/**
 * Usage normalised once, in one place per dialect, into parts that are billed differently.
 * `output` counts every generated token, reasoning included; `reasoning` is the part of `output`
 * spent thinking. `imageTokens` is the part of input spent on images when the provider says so.
 */
export interface NormalizedUsage {
  inputUncached: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
  imageTokens: number;
  /** True when the provider sent no usage and Tidegate counted the tokens itself. */
  estimated: boolean;
}

export const zeroUsage: NormalizedUsage = Object.freeze({
  inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: false,
});

export function totalInput(usage: NormalizedUsage): number {
  return usage.inputUncached + usage.cacheRead + usage.cacheWrite;
}

/**
 * The most tokens one call can plausibly report in any part of its usage (contexts are at most a few million
 * tokens). A provider reporting more is broken or hostile: its usage is dropped and Tidegate counts the tokens
 * itself, so a garbage count can neither bill a client a fortune nor overflow the ledger's integer columns.
 */
export const MAX_PLAUSIBLE_TOKENS = 100_000_000;

/** The usage when every count is a plausible one, else undefined (the caller falls back to its own count). */
export function plausibleUsage(usage: NormalizedUsage): NormalizedUsage | undefined {
  const { inputUncached, cacheRead, cacheWrite, output, reasoning, imageTokens } = usage;
  for (const n of [inputUncached, cacheRead, cacheWrite, output, reasoning, imageTokens]) {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PLAUSIBLE_TOKENS) return undefined;
  }
  return usage;
}
