import { sql } from 'kysely';
import type { Database } from '../storage/database.js';
import { ROLLUP_TABLES, WATERMARK_TABLE } from './rollup-columns.js';
import { refillRollupTable } from './rollup-fill.js';

export const HOUR_MS = 3_600_000;
/** The watermark's row in rollup_watermarks (one for every rollup table: they are filled together). */
export const WATERMARK_NAME = 'request_rollup_hourly';

export interface RollupOptions {
  /** An hour is rolled up once it ended this long ago (the log writer's flush lag); default 5 minutes. */
  settleMs?: number;
  /** Hours behind the watermark recomputed on every run, to take in rows written late; default 2. */
  reopenHours?: number;
  /** Most hours recomputed per transaction; default 1 (on SQLite a transaction holds the event loop: ~10 ms an hour at 1,400 requests an hour). */
  hoursPerTransaction?: number;
}

export const floorHour = (ms: number): number => ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);

/**
 * Maintains `request_rollup_hourly` (and the narrower tables of ROLLUP_TABLES) from request_log, off the request path.
 *
 * Why a periodic recompute behind a watermark and not an upsert from the writer's batches: an upsert that adds
 * a batch's sums double counts whenever a batch is retried after a commit whose acknowledgement was lost, and
 * it would live in the perf-critical writer. Here each run *replaces* whole hours (DELETE the hour's rollup
 * rows, INSERT … SELECT … GROUP BY from request_log, advance the watermark) in one transaction, so running it
 * twice, after a crash, or on two nodes at once (the primary key refuses the loser's insert) can never count a
 * row twice. Hours at or after the watermark are read from request_log by the overview, so answers are exact
 * even before a run. Limits: a row written more than `settleMs` after its hour ended is missing from the
 * overview until the next run (a minute later); one written more than `reopenHours` later, until that hour is
 * rebuilt (`rebuild`). In cluster mode every node runs the job; a collision fails one transaction (primary
 * key), which is retried on the next run (a leader lease, cluster/leader-lease.ts, would avoid the duplicate work).
 */
export class RollupJob {
  readonly #database: Database;
  readonly #settleMs: number;
  readonly #reopenHours: number;
  readonly #chunkHours: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(database: Database, options: RollupOptions = {}) {
    this.#database = database;
    this.#settleMs = options.settleMs ?? 5 * 60_000;
    this.#reopenHours = options.reopenHours ?? 2;
    this.#chunkHours = options.hoursPerTransaction ?? 1;
  }

  /**
   * Runs now and then every intervalMs (default 60 s) in the background; errors go to onError. `mayRun` is
   * asked before each run (a node that does not hold the rollup lease skips it).
   */
  start(intervalMs = 60_000, onError: (error: unknown) => void = () => undefined, mayRun: () => boolean = () => true): void {
    const tick = () => {
      if (mayRun()) void this.run().catch(onError);
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Rolls up every settled hour not yet final (plus the reopened ones); returns the new watermark. */
  run(now = Date.now()): Promise<number> {
    this.#running ??= this.#run(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #run(now: number): Promise<number> {
    const settled = floorHour(now - this.#settleMs);
    const current = await readWatermark(this.#database);
    let start: number;
    if (current === null) {
      const { rows } = await sql<{ first: number | string | null }>`select min(created_at) as first from request_log`.execute(this.#database.db);
      const first = rows[0]?.first;
      start = first === null || first === undefined ? settled : floorHour(Number(first));
    } else {
      start = Math.max(0, current - this.#reopenHours * HOUR_MS);
    }
    if (start >= settled) {
      if (current === null) await this.#replace(settled, settled);
      return current ?? settled;
    }
    for (let from = start; from < settled; from += this.#chunkHours * HOUR_MS) {
      await this.#replace(from, Math.min(settled, from + this.#chunkHours * HOUR_MS));
      await new Promise<void>((resolve) => setImmediate(resolve)); // let requests run between transactions
    }
    return settled;
  }

  /**
   * Recomputes [from, until) (whole hours) regardless of the watermark, e.g. after importing old rows. Never over
   * hours whose request-log rows were purged by retention: the rollup is all that is left of them.
   */
  async rebuild(from: number, until: number): Promise<void> {
    const end = floorHour(until - 1) + HOUR_MS;
    for (let start = floorHour(from); start < end; start += this.#chunkHours * HOUR_MS) {
      await this.#replace(start, Math.min(end, start + this.#chunkHours * HOUR_MS), false);
    }
  }

  async #replace(from: number, until: number, advance = true): Promise<void> {
    await this.#database.db.transaction().execute(async (trx) => {
      if (until > from) {
        for (const table of ROLLUP_TABLES) await refillRollupTable(trx, table, from, until);
      }
      if (advance) {
        await sql`insert into ${sql.table(WATERMARK_TABLE)} (name, watermark) values (${WATERMARK_NAME}, ${until})
          on conflict (name) do update set watermark = case when excluded.watermark > ${sql.table(WATERMARK_TABLE)}.watermark
          then excluded.watermark else ${sql.table(WATERMARK_TABLE)}.watermark end`.execute(trx);
      }
    });
  }
}

/** The first hour not yet final in the rollup (epoch ms), or null before the first run. */
export async function readWatermark(database: Database): Promise<number | null> {
  const { rows } = await sql<{ watermark: number | string }>`select watermark from ${sql.table(WATERMARK_TABLE)} where name = ${WATERMARK_NAME}`.execute(database.db);
  return rows[0] === undefined ? null : Number(rows[0].watermark);
}
