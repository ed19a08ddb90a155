import type { Redis } from 'ioredis';
import type { Logger } from '../logging/logger.js';
import { ioredis } from '../platform/ioredis.js';
import { openClusterRedis, whenReady } from './redis-client.js';

/**
 * Change notices: when a key is revoked or its limits change, or a team's limits change, the node (or CLI)
 * that made the change publishes a notice on Redis pub/sub, and every node drops that entry from its caches
 * at once. PostgreSQL stays the source of truth: a notice carries only what changed, never the new value, and
 * the next request reads it again. Pub/sub delivers at most once, so a node that was disconnected clears its
 * caches when it reconnects, and the caches' own expiry (cluster.keyCacheTtlMs, the poll) bounds staleness
 * whenever a notice is lost.
 */
export type ChangeNotice =
  /** A key was revoked or its limits (team, budgets, rpm, priority cap) changed. */
  | { readonly kind: 'key'; readonly id: string }
  /** A team's limits changed. */
  | { readonly kind: 'team'; readonly name: string }
  /** A key was created: cached refusals of unknown keys, and open mode, must be re-read. */
  | { readonly kind: 'keys' };

/** What a node does on a notice (and on reconnecting, when it may have missed some). */
export interface NoticeHandlers {
  apply(notice: ChangeNotice): void;
  /** Drop everything cached: notices may have been missed while the subscription was down. */
  resync(): void;
}

/** One channel per key prefix: pub/sub channels are shared by every Redis database. */
export const noticeChannel = (prefix: string): string => `{${prefix}}:notices`;

interface Envelope {
  from: string;
  notice: ChangeNotice;
}

function parse(message: string): Envelope | undefined {
  try {
    const value = JSON.parse(message) as Envelope;
    const notice = value?.notice;
    if (typeof value.from !== 'string' || typeof notice !== 'object' || notice === null) return undefined;
    if (notice.kind === 'key' && typeof notice.id === 'string') return value;
    if (notice.kind === 'team' && typeof notice.name === 'string') return value;
    if (notice.kind === 'keys') return value;
  } catch {
    // A message that is not ours; ignored.
  }
  return undefined;
}

export interface ChangeNoticesOptions {
  url: string;
  prefix: string;
  nodeId: string;
  /** The node's command connection, used to publish (a subscribed connection cannot). */
  publisher: Redis;
  handlers: NoticeHandlers;
  logger: Logger;
}

/** A node's subscription to change notices, and its way to publish them. */
export class ChangeNotices {
  readonly #options: ChangeNoticesOptions;
  readonly #channel: string;
  readonly #subscriber: Redis;
  #received = 0;
  #everReady = false;

  constructor(options: ChangeNoticesOptions) {
    this.#options = options;
    this.#channel = noticeChannel(options.prefix);
    // Its own connection (subscriber mode), with the offline queue on so SUBSCRIBE waits for a connection;
    // ioredis subscribes again after every reconnect.
    this.#subscriber = new (ioredis().Redis)(options.url, {
      maxRetriesPerRequest: null,
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    this.#subscriber.on('error', () => undefined); // the command connection already reports Redis errors
    this.#subscriber.on('ready', () => {
      // Notices sent while this node was not subscribed are lost: forget everything cached once.
      if (this.#everReady) options.handlers.resync();
      this.#everReady = true;
    });
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#channel) return;
      const envelope = parse(message);
      if (envelope === undefined || envelope.from === options.nodeId) return;
      this.#received += 1;
      options.handlers.apply(envelope.notice);
    });
    void this.#subscriber.subscribe(this.#channel).catch((error: unknown) => options.logger.debug('change notices: subscribe failed; will retry on reconnect', { error: String(error) }));
  }

  /** Tells every other node; never throws (a lost notice is covered by the cache expiry). */
  async publish(notice: ChangeNotice): Promise<void> {
    try {
      await this.#options.publisher.publish(this.#channel, JSON.stringify({ from: this.#options.nodeId, notice } satisfies Envelope));
    } catch (error) {
      this.#options.logger.warn('change notice not sent; other nodes apply the change when their cache expires', { notice, error: String(error) });
    }
  }

  /** Notices received from other nodes since start. */
  get received(): number {
    return this.#received;
  }

  close(): void {
    this.#subscriber.disconnect();
  }
}

/**
 * Publishes one notice from a process that is not a node (the CLI): connects, publishes, disconnects.
 * Returns whether it was sent; false without redis.url or when Redis does not answer in time.
 */
export async function publishChangeNotice(redisUrl: string | undefined, prefix: string, notice: ChangeNotice, timeoutMs = 1_000): Promise<boolean> {
  if (redisUrl === undefined) return false;
  const redis = openClusterRedis(redisUrl, timeoutMs, () => undefined);
  try {
    if (!(await whenReady(redis, timeoutMs))) return false;
    await redis.publish(noticeChannel(prefix), JSON.stringify({ from: 'cli', notice } satisfies Envelope));
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
