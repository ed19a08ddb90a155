import type { ChatMessage } from '../canonical/chat.js';

const han = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/g;

/**
 * A pre-flight estimate, used only when a provider reports no usage (a cut stream) and marked as
 * estimated wherever it appears. Rates from providers.md §7: Chinese ≈0.6 tokens per character on
 * Chinese-native tokenizers, English ≈4 characters per token.
 */
export function estimateTextTokens(text: string): number {
  if (text.length === 0) return 0;
  const hanCount = text.match(han)?.length ?? 0;
  return Math.ceil(hanCount * 0.6 + (text.length - hanCount) / 4);
}

export function messageText(message: ChatMessage): string {
  const { content } = message;
  let text = '';
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
  }
  if (message.tool_calls) for (const call of message.tool_calls) text += call.function.name + call.function.arguments;
  return text;
}

/** Per-message framing overhead, as in OpenAI's own counting guidance. */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let total = 3;
  for (const message of messages) total += 4 + estimateTextTokens(messageText(message));
  return total;
}
