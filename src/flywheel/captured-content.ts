import type { ChatMessage, ChatRequest } from '../canonical/chat.js';
import { placeholderShape } from '../privacy/placeholders.js';
import { placeholderSystemHint, type LogPolicy, type PrivacyEngine } from '../privacy/index.js';

/** A message as captured: text only (images are counted, not kept), personal data masked. */
export interface CapturedMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: ReadonlyArray<{ readonly id: string; readonly type: 'function'; readonly function: { readonly name: string; readonly arguments: string } }>;
}

export interface CapturedInput {
  readonly messages: readonly CapturedMessage[];
  /** Sampling parameters that shaped the answer. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Image parts left out of the captured text (images are never stored). */
  readonly images: number;
  /** Tool definitions were offered to the model. */
  readonly tools: number;
}

/** Storage always redacts, whatever the log policy: a stored prompt may end up in a training file. */
const STORAGE_POLICY: LogPolicy = { default: 'redact' };

const KEPT_PARAMS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'stop', 'response_format'] as const;

/**
 * Masked text for storage: whatever the privacy engine still finds is redacted (`[PHONE]`), and the
 * gateway's reversible placeholders (`[PHONE_KXMBTQRD]`, different per tenant and conversation) become the
 * same type-only marker, so stored content holds no value and no key to one, and equal prompts hash equal.
 */
export function maskForStorage(engine: PrivacyEngine, text: string): string {
  if (text === '') return text;
  return engine.maskForLog(text, STORAGE_POLICY).replace(placeholderShape, (token) => `[${token.slice(1, token.lastIndexOf('_'))}]`);
}

function roleOf(message: ChatMessage): CapturedMessage['role'] {
  if (message.role === 'developer') return 'system';
  if (message.role === 'function') return 'tool';
  return message.role;
}

function contentText(message: ChatMessage): { text: string; images: number } {
  const { content } = message;
  if (typeof content === 'string') return { text: content, images: 0 };
  let text = '';
  let images = 0;
  for (const part of content ?? []) {
    if (part.type === 'text' && typeof part.text === 'string') text += part.text;
    else images += 1;
  }
  return { text, images };
}

/** The request as it may be stored: the masked messages (the privacy hint the gateway added left out), masked again for storage. */
export function captureInput(engine: PrivacyEngine, request: ChatRequest): CapturedInput {
  let images = 0;
  const messages: CapturedMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system' && message.content === placeholderSystemHint) continue;
    const { text, images: found } = contentText(message);
    images += found;
    messages.push({
      role: roleOf(message),
      content: maskForStorage(engine, text),
      ...(message.name ? { name: message.name } : {}),
      ...(message.tool_call_id ? { tool_call_id: message.tool_call_id } : {}),
      ...(message.tool_calls?.length
        ? { tool_calls: message.tool_calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: maskForStorage(engine, call.function.arguments) } })) }
        : {}),
    });
  }
  const params: Record<string, unknown> = {};
  for (const name of KEPT_PARAMS) if (request[name] !== undefined) params[name] = request[name];
  return { messages, params, images, tools: request.tools?.length ?? 0 };
}
