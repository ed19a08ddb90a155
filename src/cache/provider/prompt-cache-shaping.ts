import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest, ContentPart } from '../../canonical/chat.js';
import type { PresetDefinition } from '../../providers/preset.js';
import { estimateTextTokens, messageText } from '../../tokens/estimate.js';

/**
 * Helps providers' own context caches (cached input costs 2–25% of normal) without changing a byte of
 * the prefix: system prompt and tools are never reordered or rewritten. For providers with explicit
 * caching, a long system prompt seen before gets a `cache_control` marker (the first sighting stays
 * implicit, so a one-off prompt never pays the 125% write); for providers that take a routing hint, a
 * `prompt_cache_key` derived from the tenant and the prefix keeps such requests on the same cache.
 */
export class PromptCacheShaper {
  /** Recently seen system prompts (hashes), bounded, least recently seen evicted first. */
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 10_000) {}

  shape(body: ChatRequest, preset: PresetDefinition, tenant: string): ChatRequest {
    const policy = preset.promptCache;
    if (!policy || body.messages.length === 0) return body;
    const system = leadingSystem(body.messages);
    const systemText = system.map(messageText).join('\n');
    let shaped = body;
    if (policy.cacheKeyParam && body[policy.cacheKeyParam] === undefined && systemText !== '') {
      const prefix = createHash('sha256').update(tenant).update('\0').update(systemText).update('\0').update(JSON.stringify(body.tools ?? [])).digest('hex');
      shaped = { ...shaped, [policy.cacheKeyParam]: `tg-${prefix.slice(0, 32)}` };
    }
    if (policy.marker === 'cache_control' && system.length > 0 && !hasMarker(body) && estimateTextTokens(systemText) >= (policy.minTokens ?? 1024)) {
      const key = createHash('sha256').update(preset.id).update('\0').update(body.model).update('\0').update(systemText).digest('hex');
      if (this.sighted(key)) shaped = { ...shaped, messages: markLastSystem(shaped.messages, system.length) };
    }
    return shaped;
  }

  /** Records a sighting; true when the prompt had been seen before. */
  private sighted(key: string): boolean {
    const before = this.seen.delete(key);
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value!);
    return before;
  }
}

function leadingSystem(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role !== 'system' && message.role !== 'developer') break;
    out.push(message);
  }
  return out;
}

function hasMarker(body: ChatRequest): boolean {
  return body.messages.some((message) => Array.isArray(message.content) && message.content.some((part) => (part as { cache_control?: unknown }).cache_control !== undefined));
}

/** The last leading system message gets the marker on its last text part (a string becomes one text part). */
function markLastSystem(messages: readonly ChatMessage[], systemCount: number): ChatMessage[] {
  const index = systemCount - 1;
  const message = messages[index]!;
  const parts: ContentPart[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [...(message.content ?? [])];
  const last = parts.map((part) => part.type).lastIndexOf('text');
  if (last < 0) return [...messages];
  parts[last] = { ...parts[last]!, cache_control: { type: 'ephemeral' } } as ContentPart;
  const copy = [...messages];
  copy[index] = { ...message, content: parts };
  return copy;
}
