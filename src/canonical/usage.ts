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
