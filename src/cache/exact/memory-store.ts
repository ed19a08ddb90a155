import { decodeAnswer, encodeAnswer, type CachedAnswer, type ResponseStore } from './store.js';

interface Slot { readonly text: string; readonly bytes: number; readonly expiresAt: number }

/**
 * In-process store bounded by bytes: a Map kept in recency order (a read moves the entry to the end),
 * evicting from the front. Entries are held as JSON text, so a caller can never mutate a stored answer.
 */
export class MemoryStore implements ResponseStore {
  readonly kind = 'memory' as const;
  private readonly slots = new Map<string, Slot>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string, now = Date.now()): Promise<CachedAnswer | undefined> {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= now) {
      this.remove(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return decodeAnswer(slot.text);
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number, now = Date.now()): Promise<void> {
    const text = encodeAnswer(answer);
    const bytes = Buffer.byteLength(text) + key.length;
    const old = this.slots.get(key);
    if (old) this.remove(key, old);
    if (bytes > this.maxBytes) return; // larger than the whole cache: not stored
    this.slots.set(key, { text, bytes, expiresAt: now + ttlMs });
    this.bytes += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest, slot);
    }
  }

  async delete(key: string): Promise<void> {
    const slot = this.slots.get(key);
    if (slot) this.remove(key, slot);
  }

  async stats(): Promise<{ entries: number; bytes: number }> {
    return { entries: this.slots.size, bytes: this.bytes };
  }

  async close(): Promise<void> {
    this.slots.clear();
    this.bytes = 0;
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.bytes -= slot.bytes;
  }
}
