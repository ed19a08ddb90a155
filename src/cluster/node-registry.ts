import type { Redis } from 'ioredis';

const heartbeatScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 4)
return redis.call('ZCARD', KEYS[1])
`;

/**
 * The heartbeat set: every node writes its id with the Redis server time every `heartbeatMs`; a node not
 * seen for three beats is gone. The count of live nodes is what each node divides a budget by while
 * Redis is down (it keeps the last count it saw).
 */
export class NodeRegistry {
  private live = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly key: string;

  constructor(private readonly redis: Redis, prefix: string, readonly nodeId: string, private readonly heartbeatMs: number) {
    this.key = `{${prefix}}:nodes`;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Live nodes at the last successful heartbeat (at least 1: this one). */
  count(): number {
    return Math.max(1, this.live);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.redis.zrem(this.key, this.nodeId).catch(() => undefined);
  }

  private async beat(): Promise<void> {
    try {
      this.live = Number(await this.redis.eval(heartbeatScript, 1, this.key, this.nodeId, String(this.heartbeatMs * 3)));
    } catch {
      // Redis is down: keep the last count.
    }
  }
}
