import { createHash } from 'node:crypto';
import type { CapturedMessage } from './captured-content.js';

/**
 * The normalised prompt: every message before the answer, by role, with Unicode compatibility forms folded
 * (full-width letters and digits), whitespace collapsed and case folded. Two prompts that differ only in
 * spacing, width or case are the same prompt for deduplication and for the train/eval split.
 */
export function normalisePromptText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function promptHash(messages: readonly CapturedMessage[]): string {
  const hash = createHash('sha256');
  for (const message of messages) {
    hash.update(message.role);
    hash.update('\u0000');
    hash.update(normalisePromptText(message.content));
    hash.update('\u0001');
  }
  return hash.digest('hex');
}

/** A number in [0, 1) from a seed and a key: the same key always lands in the same split for a seed. */
export function splitPoint(seed: string, key: string): number {
  const digest = createHash('sha256').update(seed).update('\u0000').update(key).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}
