import type { ChatMessage } from '../canonical/chat.js';

/** CJK ideographs, CJK punctuation and full-width forms, counted per UTF-16 unit (no regex: 1 MB in ~2 ms). */
function hanCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if ((c >= 0x3400 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef)) count += 1;
  }
  return count;
}

/**
 * A pre-flight estimate, used only when a provider reports no usage (a cut stream) and marked as
 * estimated wherever it appears. Rates from providers.md §7: Chinese ≈0.6 tokens per character on
 * Chinese-native tokenizers, English ≈4 characters per token.
 */
export function estimateTextTokens(text: string): number {
  if (text.length === 0) return 0;
  const han = hanCount(text);
  return Math.ceil(han * 0.6 + (text.length - han) / 4);
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
