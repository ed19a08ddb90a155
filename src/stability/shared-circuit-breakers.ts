import type { Redis } from 'ioredis';
import type { ErrorCode } from '../errors/catalogue.js';
import { CircuitBreakers, notTheProvidersFault, type CircuitState } from './circuit-breaker.js';

/*
 * Circuit state shared by every node through Redis, on the Redis clock. Per target one hash {fails,
 * until} (consecutive failures; open until `until` ms) and one probe token (SET NX PX) that exactly one
 * node holds while the circuit is half-open; a set lists the targets so a node can read them all at once.
 */
const clock = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS: circuit hash, probe key, circuit set. ARGV: target, node, threshold, cooldown ms. Returns {now, fails, until}. */
const failureScript = `${clock}
local probe = redis.call('GET', KEYS[2])
local fails = redis.call('HINCRBY', KEYS[1], 'fails', 1)
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
redis.call('SADD', KEYS[3], ARGV[1])
if probe == ARGV[2] or (fails >= tonumber(ARGV[3]) and untilMs <= now and not probe) then
  untilMs = now + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'until', untilMs)
  redis.call('DEL', KEYS[2])
end
return {now, fails, untilMs}
`;

/** KEYS: circuit hash, probe key. ARGV: node. A success closes the circuit everywhere. */
const successScript = `
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
return 1
`;

/** KEYS: circuit hash, probe key. ARGV: node, probe ttl ms. 1 when this node now holds the only probe. */
const probeScript = `${clock}
local untilMs = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if untilMs == 0 or untilMs > now then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return 1 end
return 0
`;

/** KEYS: probe key. ARGV: node. Compare-and-delete: only the holder gives its probe back. */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: circuit set. ARGV: key prefix. Returns {now, target, fails, until, probe owner or '', ...}. */
const snapshotScript = `${clock}
local reply = {now}
for _, target in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local state = redis.call('HMGET', ARGV[1] .. target, 'fails', 'until')
  if state[1] or state[2] then
    table.insert(reply, target)
    table.insert(reply, tonumber(state[1] or '0'))
    table.insert(reply, tonumber(state[2] or '0'))
    table.insert(reply, redis.call('GET', ARGV[1] .. target .. ':probe') or '')
  else
    redis.call('SREM', KEYS[1], target)
  end
end
return reply
`;

interface SharedCircuit {
  fails: number;
  /** Open until this Redis-clock instant; 0 when never opened. */
  until: number;
  probeOwner: string;
}

export interface SharedCircuitOptions {
  readonly failureThreshold: number;
  readonly cooldownMs: number;
  readonly prefix: string;
  readonly nodeId: string;
  /** How often the fleet's circuit states are read (a circuit opened elsewhere is honoured within this). */
  readonly refreshMs?: number;
  /** How long a half-open probe may take before another node may probe. */
  readonly probeTtlMs?: number;
}

type Runner = (numKeys: number, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Circuit breakers shared by the fleet: a circuit opened on one node is honoured by every node within
 * `refreshMs`, and when its cooldown ends exactly one node (the holder of the probe token) sends the
 * half-open probe. The request path stays synchronous: it reads a local copy of the shared states that a
 * timer refreshes; Redis writes happen in the background. While Redis is unreachable each node falls
 * back to its own in-process breakers.
 */
export class SharedCircuitBreakers extends CircuitBreakers {
  private shared = new Map<string, SharedCircuit>();
  /** Redis clock minus this node's clock, from the last snapshot. */
  private offset = 0;
  private readonly probesHeld = new Set<string>();
  private readonly probesInFlight = new Set<string>();
  private readonly probesWanted = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly run: Record<'failure' | 'success' | 'probe' | 'release' | 'snapshot', Runner>;
  private healthy = false;

  constructor(private readonly redis: Redis, private readonly fleet: SharedCircuitOptions, now: () => number = Date.now) {
    super({ failureThreshold: fleet.failureThreshold, cooldownMs: fleet.cooldownMs }, now);
    const scripts = { failure: failureScript, success: successScript, probe: probeScript, release: releaseScript, snapshot: snapshotScript };
    const commands = redis as unknown as Record<string, Runner>;
    this.run = Object.fromEntries(
      Object.entries(scripts).map(([name, lua]) => {
        const command = `tidegateCircuit${name[0]!.toUpperCase()}${name.slice(1)}`;
        redis.defineCommand(command, { lua });
        return [name, commands[command]!.bind(redis)];
      }),
    ) as SharedCircuitBreakers['run'];
    this.timer = setInterval(() => void this.refresh(), fleet.refreshMs ?? 250);
    this.timer.unref();
  }

  /** Reads every shared circuit now (also done every `refreshMs`). */
  async refresh(): Promise<void> {
    if (this.redis.status !== 'ready') {
      this.healthy = false;
      return;
    }
    try {
      const reply = (await this.run.snapshot(1, this.key('circuits'), this.key('circuit:'))) as Array<number | string>;
      this.offset = Number(reply[0]) - Date.now();
      const next = new Map<string, SharedCircuit>();
      for (let index = 1; index + 3 < reply.length; index += 4) {
        next.set(String(reply[index]), { fails: Number(reply[index + 1]), until: Number(reply[index + 2]), probeOwner: String(reply[index + 3]) });
      }
      this.shared = next;
      this.healthy = true;
      for (const target of this.probesWanted) void this.askForProbe(target);
      this.probesWanted.clear();
    } catch {
      this.healthy = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }

  override tryAcquire(key: string): boolean {
    if (!this.healthy) return super.tryAcquire(key);
    // This node's own failures opened it: refuse now, not only once Redis has answered the failure script (a
    // retry a few ms later would otherwise still reach the provider).
    if (super.state(key) === 'open') return false;
    const circuit = this.shared.get(key);
    if (!circuit || circuit.until === 0) return true;
    if (Date.now() + this.offset < circuit.until) return false;
    // Half-open: only the node holding the probe token calls, once.
    if (this.probesHeld.has(key) && !this.probesInFlight.has(key)) {
      this.probesInFlight.add(key);
      return true;
    }
    if (circuit.probeOwner === '') void this.askForProbe(key);
    else this.probesWanted.add(key);
    return false;
  }

  override success(key: string): void {
    super.success(key);
    if (!this.healthy) return;
    this.shared.delete(key);
    this.dropProbe(key);
    void this.run.success(2, this.key(`circuit:${key}`), this.key(`circuit:${key}:probe`)).catch(() => undefined);
  }

  override failure(key: string, code: ErrorCode): void {
    super.failure(key, code);
    if (!this.healthy) return;
    if (notTheProvidersFault(code)) {
      this.release(key);
      return;
    }
    this.dropProbe(key);
    void this.run
      .failure(3, this.key(`circuit:${key}`), this.key(`circuit:${key}:probe`), this.key('circuits'), key, this.fleet.nodeId, this.fleet.failureThreshold, this.fleet.cooldownMs)
      .then((reply) => {
        const [now, fails, until] = (reply as number[]).map(Number) as [number, number, number];
        this.offset = now - Date.now();
        this.shared.set(key, { fails, until, probeOwner: '' });
      })
      .catch(() => undefined);
  }

  override release(key: string): void {
    super.release(key);
    if (!this.probesHeld.has(key)) return;
    this.dropProbe(key);
    void this.run.release(1, this.key(`circuit:${key}:probe`), this.fleet.nodeId).catch(() => undefined);
  }

  override retryAfterMs(key: string): number {
    const circuit = this.healthy ? this.shared.get(key) : undefined;
    if (!circuit || circuit.until === 0) return super.retryAfterMs(key);
    return Math.max(1000, circuit.until - (Date.now() + this.offset));
  }

  override state(key: string): CircuitState {
    if (!this.healthy) return super.state(key);
    const circuit = this.shared.get(key);
    if (!circuit || circuit.until === 0) return 'closed';
    return Date.now() + this.offset < circuit.until ? 'open' : 'half-open';
  }

  override snapshot(): Array<{ key: string; state: CircuitState; consecutiveFailures: number }> {
    if (!this.healthy) return super.snapshot();
    return [...this.shared.entries()].map(([key, circuit]) => ({ key, state: this.state(key), consecutiveFailures: circuit.fails }));
  }

  private async askForProbe(key: string): Promise<void> {
    try {
      const won = await this.run.probe(2, this.key(`circuit:${key}`), this.key(`circuit:${key}:probe`), this.fleet.nodeId, this.fleet.probeTtlMs ?? 30_000);
      if (Number(won) === 1) this.probesHeld.add(key);
    } catch {
      // Redis trouble: the next refresh decides.
    }
  }

  private dropProbe(key: string): void {
    this.probesHeld.delete(key);
    this.probesInFlight.delete(key);
  }

  private key(suffix: string): string {
    return `{${this.fleet.prefix}}:${suffix}`;
  }
}
