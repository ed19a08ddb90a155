import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import type { Schema } from '../storage/schema.js';

/** A fenced write was attempted by a node that no longer holds the lease (another took over). */
export class LeaseLostError extends Error {
  constructor(readonly lease: string, readonly epoch: number | null) {
    super(`lease "${lease}" is no longer held at epoch ${epoch ?? '(none)'}; the write was refused`);
    this.name = 'LeaseLostError';
  }
}

export interface LeaderLeaseOptions {
  /** The job this lease guards, e.g. "retention" or "batch-runner". */
  readonly name: string;
  /** This node's id (cluster.nodeId); a restarted node with the same id takes its lease back at once. */
  readonly holder: string;
  /** How long a holder that stops renewing keeps the lease (default 30 s). */
  readonly ttlMs?: number;
  /** How often the holder renews and the others try to take over (default ttl / 3). */
  readonly renewMs?: number;
  readonly logger?: Logger;
  /** Called when this node becomes leader, with its epoch, and when it stops being leader. */
  readonly onElected?: (epoch: number) => void;
  readonly onLost?: (epoch: number) => void;
}

/** Milliseconds on the database's clock, so nodes with skewed clocks agree on expiry. */
function databaseNow(database: Database): RawBuilder<number> {
  return database.dialect === 'postgres'
    ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`
    : sql<number>`cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
}

/**
 * One leader per background job through a row in `cluster_leases` (PostgreSQL, or SQLite for one node).
 * Acquiring takes the row when it is free or expired and adds one to its epoch; the holder renews it; a
 * holder that dies (or stalls past the TTL) loses it to the next node that tries. Writes a job makes as
 * leader go through `fenced`, which checks the epoch under the row's lock in the same transaction, so a
 * stale leader that wakes up after a takeover cannot write anything.
 *
 *   const lease = new LeaderLease(database, { name: 'retention', holder: nodeId });
 *   lease.start();
 *   setInterval(() => lease.ifLeader(() => lease.fenced((trx) => sweep(trx))), 60_000);
 */
export class LeaderLease {
  private currentEpoch: number | null = null;
  /** Local deadline after which this node stops acting as leader unless a renewal succeeded. */
  private validUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly lostListeners = new Set<(epoch: number) => void>();
  readonly ttlMs: number;
  readonly renewMs: number;

  constructor(private readonly database: Database, private readonly options: LeaderLeaseOptions) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.renewMs = options.renewMs ?? Math.max(10, Math.floor(this.ttlMs / 3));
  }

  get epoch(): number | null {
    return this.currentEpoch;
  }

  get name(): string {
    return this.options.name;
  }

  /** Calls `listener` each time this node stops being leader (the job aborts work it can no longer finish). */
  onLost(listener: (epoch: number) => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Leader now: holds an epoch and renewed it less than a TTL ago (by this node's clock). */
  isLeader(): boolean {
    return this.currentEpoch !== null && Date.now() < this.validUntil;
  }

  /** Takes the lease if it is free, expired or already this holder's; returns the new epoch, or null. */
  async tryAcquire(): Promise<number | null> {
    const started = Date.now();
    const now = databaseNow(this.database);
    const { rows } = await sql<{ epoch: number }>`
      insert into cluster_leases (name, holder, epoch, expires_at)
      values (${this.options.name}, ${this.options.holder}, 1, ${now} + ${this.ttlMs})
      on conflict (name) do update
        set holder = excluded.holder, epoch = cluster_leases.epoch + 1, expires_at = excluded.expires_at
        where cluster_leases.expires_at <= ${now} or cluster_leases.holder = excluded.holder
      returning epoch`.execute(this.database.db);
    const epoch = rows[0] === undefined ? null : Number(rows[0].epoch);
    if (epoch !== null) this.elected(epoch, started);
    return epoch;
  }

  /** Extends the lease; false (and no longer leader) when another node took it over. */
  async renew(): Promise<boolean> {
    const epoch = this.currentEpoch;
    if (epoch === null) return false;
    const started = Date.now();
    const { rows } = await sql<{ epoch: number }>`
      update cluster_leases set expires_at = ${databaseNow(this.database)} + ${this.ttlMs}
      where name = ${this.options.name} and holder = ${this.options.holder} and epoch = ${epoch}
      returning epoch`.execute(this.database.db);
    if (rows.length === 0) {
      this.lost();
      return false;
    }
    this.validUntil = started + this.ttlMs;
    return true;
  }

  /** Gives the lease up now, so another node need not wait for it to expire. */
  async release(): Promise<void> {
    const epoch = this.currentEpoch;
    if (epoch === null) return;
    this.lost();
    await sql`update cluster_leases set expires_at = 0
      where name = ${this.options.name} and holder = ${this.options.holder} and epoch = ${epoch}`.execute(this.database.db);
  }

  /**
   * Runs `write` in a transaction that first locks the lease row and checks this node still holds it at
   * its epoch; throws LeaseLostError (and writes nothing) otherwise. The epoch is passed in so rows can
   * carry it.
   */
  async fenced<T>(write: (trx: Transaction<Schema>, epoch: number) => Promise<T>): Promise<T> {
    const epoch = this.currentEpoch;
    if (epoch === null) throw new LeaseLostError(this.options.name, null);
    return this.database.db.transaction().execute(async (trx) => {
      const lock = this.database.dialect === 'postgres' ? sql` for update` : sql``;
      const { rows } = await sql<{ holder: string; epoch: number }>`
        select holder, epoch from cluster_leases where name = ${this.options.name}${lock}`.execute(trx);
      const row = rows[0];
      if (row === undefined || row.holder !== this.options.holder || Number(row.epoch) !== epoch) {
        this.lost();
        throw new LeaseLostError(this.options.name, epoch);
      }
      return write(trx, epoch);
    });
  }

  /** Runs `job` only while leader; returns whether it ran. A LeaseLostError inside is not an error. */
  async ifLeader(job: (epoch: number) => Promise<unknown>): Promise<boolean> {
    const epoch = this.currentEpoch;
    if (epoch === null || !this.isLeader()) return false;
    try {
      await job(epoch);
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
  }

  /** Renews while leader, tries to take over otherwise, every `renewMs`. */
  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.renewMs);
    this.timer.unref();
  }

  /** Stops the loop; releases the lease unless `release` is false (a crash keeps it until it expires). */
  async stop(release = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    await this.ticking;
    if (release) await this.release().catch(() => undefined);
    else this.currentEpoch = null;
  }

  private async tick(): Promise<void> {
    try {
      if (this.currentEpoch !== null && (await this.renew())) return;
      if ((await this.tryAcquire()) === null) await this.tryAgainAtExpiry();
    } catch (error) {
      // The database is unreachable: keep acting as leader only until the local deadline passes.
      this.options.logger?.warn('lease renewal failed', { lease: this.options.name, error: (error as Error).message });
      if (this.currentEpoch !== null && Date.now() >= this.validUntil) this.lost();
    }
  }

  /**
   * Held by another node: when it expires before the next regular try, try again right then, so a dead leader
   * is replaced one TTL after its last renewal (not up to a renewal period later).
   */
  private async tryAgainAtExpiry(): Promise<void> {
    if (!this.timer) return; // not started (tryAcquire called directly)
    const { rows } = await sql<{ remaining: number }>`
      select expires_at - ${databaseNow(this.database)} as remaining from cluster_leases where name = ${this.options.name}`.execute(this.database.db);
    const remaining = rows[0] === undefined ? null : Number(rows[0].remaining);
    if (remaining === null || remaining >= this.renewMs || !this.timer) return;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      if (this.timer) this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, Math.max(0, remaining) + 5);
    this.expiryTimer.unref();
  }

  private expiryTimer: NodeJS.Timeout | undefined;

  private elected(epoch: number, started: number): void {
    this.currentEpoch = epoch;
    this.validUntil = started + this.ttlMs;
    this.options.logger?.info('lease acquired', { lease: this.options.name, holder: this.options.holder, epoch });
    this.options.onElected?.(epoch);
  }

  private lost(): void {
    const epoch = this.currentEpoch;
    if (epoch === null) return;
    this.currentEpoch = null;
    this.validUntil = 0;
    this.options.logger?.info('lease lost', { lease: this.options.name, holder: this.options.holder, epoch });
    this.options.onLost?.(epoch);
    for (const listener of this.lostListeners) listener(epoch);
  }
}
