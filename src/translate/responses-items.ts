/**
 * Recent /v1/responses answers, kept unless the client sent `store: false`: each output item, so that a client
 * may send it back by reference (`{"type": "item_reference", "id": "fc_…"}`, as the OpenAI and AI SDK clients do
 * between the steps of a tool loop with their default `store: true`), and each response with its conversation,
 * for `previous_response_id` and `GET /v1/responses/{id}`. Bounded: entries expire after `ttlMs`, and the least
 * recently used go first once `maxBytes` (UTF-16 length of the stored JSON, a close bound of the heap used)
 * is reached. In cluster mode the items are also written to Redis with the same expiry (SharedResponseItems),
 * so the next step of a tool loop may land on any node; a reference to an item or a response no node holds (or
 * that expired) is refused with a message that says how to send the conversation itself instead.
 */
import type { Redis } from 'ioredis';
import type { ChatMessage } from '../canonical/chat.js';
import type { OutputItem, ResponseObject } from './responses-types.js';

/** A response as kept: the object a GET returns, and the whole conversation up to and including its answer. */
export interface StoredResponse {
  readonly type: 'response';
  readonly id: string;
  readonly response: ResponseObject;
  readonly conversation: readonly ChatMessage[];
}

/** What is kept, by id: output items (msg_, rs_, fc_) and responses (resp_). */
export type StoredValue = OutputItem | StoredResponse;

/** Where /v1/responses keeps and finds items and responses. */
export interface ResponseItems {
  /** Keeps values for `owner` (the API key id, or '' in open mode); never throws. */
  put(owner: string, values: readonly StoredValue[]): void;
  /** The values of these ids this owner may see; ids not found are absent. */
  getMany(owner: string, ids: readonly string[]): Promise<Map<string, StoredValue>>;
  /** Forgets one value; resolves to whether this owner had it. */
  delete(owner: string, id: string): Promise<boolean>;
}

interface Entry { readonly item: StoredValue; readonly owner: string; readonly bytes: number; readonly expiresAt: number }

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

  put(owner: string, items: readonly StoredValue[]): void {
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

  /** The value, if this owner stored it and it has not expired. */
  get(owner: string, id: string): StoredValue | undefined {
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

  async getMany(owner: string, ids: readonly string[]): Promise<Map<string, StoredValue>> {
    const found = new Map<string, StoredValue>();
    for (const id of ids) {
      const item = this.get(owner, id);
      if (item) found.set(id, item);
    }
    return found;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    if (this.get(owner, id) === undefined) return false;
    this.#remove(id);
    return true;
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

  put(owner: string, items: readonly StoredValue[]): void {
    this.local.put(owner, items);
    if (items.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const item of items) pipeline.set(this.#key(owner, item.id), JSON.stringify(item), 'PX', this.options.ttlMs);
    pipeline.exec().then((results) => {
      const failed = results?.find(([error]) => error)?.[0];
      if (failed) this.#fail(failed);
    }, (error: Error) => this.#fail(error));
  }

  async getMany(owner: string, ids: readonly string[]): Promise<Map<string, StoredValue>> {
    const found = await this.local.getMany(owner, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    try {
      const values = await this.redis.mget(missing.map((id) => this.#key(owner, id)));
      values.forEach((value, index) => {
        if (value === null) return;
        try {
          found.set(missing[index]!, JSON.parse(value) as StoredValue);
        } catch {
          // a corrupt entry is a miss
        }
      });
    } catch (error) {
      this.#fail(error as Error);
    }
    return found;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const local = await this.local.delete(owner, id);
    try {
      return (await this.redis.del(this.#key(owner, id))) > 0 || local;
    } catch (error) {
      this.#fail(error as Error);
      return local;
    }
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
