import type { ChatMessage } from './chat.js';

/** The text of a message's content: the string itself, or its text parts joined by `separator`. */
export function contentText(content: ChatMessage['content'], separator = ''): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join(separator);
}
