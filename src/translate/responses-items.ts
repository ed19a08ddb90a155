/**
 * Output items of recent /v1/responses answers, so that a client may send them back by reference
 * (`{"type": "item_reference", "id": "fc_…"}`) as the OpenAI and AI SDK clients do between the steps of a
 * tool loop when they keep the default `store: true`. Bounded: entries expire after `ttlMs`, and the least
 * recently used go first once `maxBytes` (UTF-16 length of the stored JSON, a close bound of the heap used)
 * is reached. Held in this process only; a reference to an item this node never produced (or that expired)
 * is refused with a message that says how to send the item itself instead.
 */
import type { OutputItem } from './responses-types.js';

/** What a gateway keeps: 16 MiB of items, each for an hour (a tool loop's steps are seconds apart). */
export const RESPONSE_ITEMS_MAX_BYTES = 16 * 1024 * 1024;
export const RESPONSE_ITEMS_TTL_MS = 60 * 60 * 1000;

interface Entry { readonly item: OutputItem; readonly owner: string; readonly bytes: number; readonly expiresAt: number }

export interface ResponseItemStoreOptions {
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class ResponseItemStore {
  /** Map order is recency order: a read moves an entry to the end. */
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  readonly #now: () => number;

  constructor(private readonly options: ResponseItemStoreOptions) {
    if (!(options.maxBytes >= 0) || !(options.ttlMs > 0)) throw new RangeError('ResponseItemStore needs maxBytes >= 0 and ttlMs > 0');
    this.#now = options.now ?? Date.now;
  }

  /** Keeps the items of one answer for `owner` (the API key id, or '' in open mode). */
  put(owner: string, items: readonly OutputItem[]): void {
    const expiresAt = this.#now() + this.options.ttlMs;
    for (const item of items) {
      const bytes = 2 * (JSON.stringify(item).length + item.id.length + owner.length) + 64;
      if (bytes > this.options.maxBytes) continue;
      this.#remove(item.id);
      this.#entries.set(item.id, { item, owner, bytes, expiresAt });
      this.#bytes += bytes;
    }
    this.#evict();
  }

  /** The item, if this owner stored it and it has not expired. */
  get(owner: string, id: string): OutputItem | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(id);
      return undefined;
    }
    if (entry.owner !== owner) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.item;
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#bytes -= entry.bytes;
  }

  #evict(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (this.#bytes <= this.options.maxBytes && entry.expiresAt > now) break;
      this.#remove(id);
    }
  }
}
