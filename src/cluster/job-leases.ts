import type { Logger } from '../logging/logger.js';
import type { Database } from '../storage/database.js';
import { LeaderLease } from './leader-lease.js';

/**
 * Who may run a background job, as the job sees it. With PostgreSQL (several nodes may share the store) it is a
 * lease; with SQLite the one node always leads and nothing is fenced, so single-node behaviour is unchanged.
 */
export interface Leadership {
  readonly name: string;
  /** True when no other node can hold this job (SQLite): the node recovers its own interrupted work at start. */
  readonly sole: boolean;
  isLeader(): boolean;
  /** The epoch of the current leadership (0 for a sole leader); null while not leader. */
  readonly epoch: number | null;
  /**
   * Runs `write` against the store so that it commits only while this node holds the job at its epoch: in one
   * transaction that locks the lease row first (LeaseLostError and nothing written otherwise). A node that
   * takes the lease over waits for that lock, so it sees every write its predecessor made as leader.
   */
  fenced<T>(write: (database: Database, epoch: number) => Promise<T>): Promise<T>;
  /** Called when this node stops leading (never for a sole leader). */
  onLost(listener: (epoch: number) => void): () => void;
}

/** The one node of a SQLite deployment. */
export function soleLeadership(database: Database, name: string): Leadership {
  return {
    name,
    sole: true,
    isLeader: () => true,
    epoch: 0,
    fenced: (write) => write(database, 0),
    onLost: () => () => undefined,
  };
}

/** A lease's view as a Leadership; fenced writes see the store through the lease's transaction. */
export function leaseLeadership(database: Database, lease: LeaderLease): Leadership {
  return {
    name: lease.name,
    sole: false,
    isLeader: () => lease.isLeader(),
    get epoch() {
      return lease.epoch;
    },
    fenced: (write) => lease.fenced((trx, epoch) => write({ db: trx, dialect: database.dialect, close: async () => undefined }, epoch)),
    onLost: (listener) => lease.onLost(listener),
  };
}

export interface JobLeaseOptions {
  /** This node's id in every lease (cluster.nodeId, else hostname-pid-random). */
  readonly holder: string;
  readonly ttlMs: number;
  readonly logger?: Logger;
}

/**
 * One lease per background job (batch runner, provider-batch poller, rollups, retention, shadow judging), made
 * on demand and started at once; `stop` releases them all so the next node takes over without waiting for
 * expiry. On SQLite every job is led by the one node.
 */
export class JobLeases {
  private readonly leases = new Map<string, LeaderLease>();

  constructor(private readonly database: Database, private readonly options: JobLeaseOptions) {}

  leadership(name: string): Leadership {
    if (this.database.dialect !== 'postgres') return soleLeadership(this.database, name);
    let lease = this.leases.get(name);
    if (!lease) {
      lease = new LeaderLease(this.database, { name, holder: this.options.holder, ttlMs: this.options.ttlMs, logger: this.options.logger });
      this.leases.set(name, lease);
      lease.start();
    }
    return leaseLeadership(this.database, lease);
  }

  /** Releases every lease (graceful shutdown), after the jobs have stopped writing. */
  async stop(): Promise<void> {
    await Promise.all([...this.leases.values()].map((lease) => lease.stop()));
  }
}
