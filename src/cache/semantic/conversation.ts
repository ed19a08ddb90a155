import { createHash } from 'node:crypto';

export interface ConversationMessage {
  role: string;
  text: string;
}

/** What the semantic cache sees of a request: the system prompt and every turn. */
export interface Conversation {
  system: string;
  messages: ConversationMessage[];
}

/** Width (NFKC) and whitespace normalisation; nothing that could change meaning. */
export const normaliseWhitespace = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim();

/** The last message: the part compared by similarity. */
export const lastText = (conversation: Conversation): string => conversation.messages.at(-1)?.text ?? '';

/**
 * Hash of everything except the last message's text: system prompt, earlier turns and every role. Entries are
 * partitioned by it, so a different system prompt or an edited earlier turn can never hit.
 */
export function contextKey(conversation: Conversation): string {
  const { messages } = conversation;
  const context = {
    system: normaliseWhitespace(conversation.system),
    earlier: messages.slice(0, -1).map((m) => [m.role, normaliseWhitespace(m.text)]),
    lastRole: messages.at(-1)?.role ?? '',
  };
  return createHash('sha256').update(JSON.stringify(context)).digest('base64url');
}
