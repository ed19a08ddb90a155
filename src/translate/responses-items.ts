/**
 * Output items of recent /v1/responses answers, so that a client may send them back by reference
 * (`{"type": "item_reference", "id": "fc_…"}`) as the OpenAI and AI SDK clients do between the steps of a
 * tool loop when they keep the default `store: true`. Bounded: entries expire after `ttlMs`, and the least
 * recently used go first once `maxBytes` (UTF-16 length of the stored JSON, a close bound of the heap used)
 * is reached. In cluster mode the items are also written to Redis with the same expiry (SharedResponseItems),
 * so the next step of a tool loop may land on any node; a reference to an item no node holds (or that
 * expired) is refused with a message that says how to send the item itself instead.
 */
import type { Redis } from 'ioredis';
import type { OutputItem } from './responses-types.js';

/** Where /v1/responses keeps and finds output items. */
export interface ResponseItems {
  /** Keeps the items of one answer for `owner` (the API key id, or '' in open mode); never throws. */
  put(owner: string, items: readonly OutputItem[]): void;
  /** The items of these ids this owner may see; ids not found are absent. */
  getMany(owner: string, ids: readonly string[]): Promise<Map<string, OutputItem>>;
}

/** What a gateway keeps: 16 MiB of items, each for an hour (a tool loop's steps are seconds apart). */
export const RESPONSE_ITEMS_MAX_BYTES = 16 * 1024 * 1024;
export const RESPONSE_ITEMS_TTL_MS = 60 * 60 * 1000;

interface Entry { readonly item: OutputItem; readonly owner: string; readonly bytes: number; readonly expiresAt: number }

export interface ResponseItemStoreOptions {
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly now?: () => number;
}

export class ResponseItemStore implements ResponseItems {
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

  async getMany(owner: string, ids: readonly string[]): Promise<Map<string, OutputItem>> {
    const found = new Map<string, OutputItem>();
    for (const id of ids) {
      const item = this.get(owner, id);
      if (item) found.set(id, item);
    }
    return found;
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

/**
 * The fleet's items: this node's memory first, then Redis (one MGET) for what another node answered. Writes go
 * to both; Redis bounds itself (each key expires after ttlMs, and maxmemory). While Redis is unreachable the
 * node still resolves its own items, and says so once in its log.
 */
export class SharedResponseItems implements ResponseItems {
  #warned = false;

  constructor(
    private readonly local: ResponseItemStore,
    private readonly redis: Redis,
    private readonly options: { prefix: string; ttlMs: number; onError: (error: Error) => void },
  ) {}

  put(owner: string, items: readonly OutputItem[]): void {
    this.local.put(owner, items);
    if (items.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const item of items) pipeline.set(this.#key(owner, item.id), JSON.stringify(item), 'PX', this.options.ttlMs);
    pipeline.exec().then((results) => {
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) this.#fail(failed);
    }, (error: Error) => this.#fail(error));
  }

  async getMany(owner: string, ids: readonly string[]): Promise<Map<string, OutputItem>> {
    const found = await this.local.getMany(owner, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    try {
      const values = await this.redis.mget(missing.map((id) => this.#key(owner, id)));
      values.forEach((value, index) => {
        if (value === null) return;
        try {
          found.set(missing[index]!, JSON.parse(value) as OutputItem);
        } catch {
          // a corrupt entry is a miss
        }
      });
    } catch (error) {
      this.#fail(error as Error);
    }
    return found;
  }

  #key(owner: string, id: string): string {
    return `{${this.options.prefix}}:resp-item:${owner}:${id}`;
  }

  #fail(error: Error): void {
    if (this.#warned) return;
    this.#warned = true;
    this.options.onError(error);
  }
}
