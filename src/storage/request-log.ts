import type { Insertable, Selectable } from 'kysely';
import type { NormalizedUsage } from '../canonical/usage.js';
import type { Database } from './database.js';
import type { RequestLogTable } from './schema.js';

export type RequestLogEndpoint = 'chat' | 'embeddings' | 'messages' | 'responses';

/** One finished request: metadata, usage and cost only; prompts and answers are never stored. */
export interface RequestLogRow {
  /** The request id; writing the same id twice keeps the first row. */
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  apiKeyId: string | null;
  endpoint: RequestLogEndpoint;
  modelRequested: string;
  modelServed: string | null;
  provider: string | null;
  /** HTTP status returned to the client. */
  status: number;
  errorCode: string | null;
  stream: boolean;
  attempts: number;
  fallbackUsed: boolean;
  /** Total time in the gateway. */
  latencyMs: number;
  firstByteMs: number | null;
  upstreamMs: number | null;
  usage: NormalizedUsage;
  /** Cost in 1e-9 CNY (an integer, may exceed 2^31). */
  costNanoCny: number;
  routeReason: string | null;
  configHash: string;
  clientIp: string | null;
  /** How it was priced: "<model>@<since>", the tariff (standard, peak, off-peak, night, batch), the USD rate used. */
  priceVersion: string | null;
  tariff: string | null;
  usdToCny: number | null;
  /** Tier of the served model and the request's scenario. */
  tier: string | null;
  scenario: string | null;
  /** The same usage priced on the flagship it is compared against. */
  flagshipModel: string | null;
  flagshipCostNanoCny: number;
  /** Exact cache: hit (no provider called, billed 0), miss or bypass; and the cost a hit avoided. */
  cacheStatus: 'hit' | 'semantic-hit' | 'miss' | 'bypass';
  cacheSavedNanoCny: number;
  /** What the provider's context cache saved on this call (negative when only cache writes were paid). */
  providerCacheSavedNanoCny: number;
  /** Priority class, the class asked for when a key's cap lowered it, and the admission queue wait. */
  priority?: string | null;
  priorityRequested?: string | null;
  queueMs?: number | null;
}

export interface RequestLogWriterOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Rows queued before write() hands back a promise the caller should await (backpressure, never dropping). */
  queueLimit: number;
  /** Called on the first failed flush of a run of failures (not on every retry); the rows stay queued. */
  onError?: (error: unknown, queued: number) => void;
}

export interface RequestLogStats {
  queued: number;
  written: number;
  failedFlushes: number;
  /** Write transactions committed (on SQLite, slices of a batch each commit on their own). */
  transactions: number;
}

/** Rows per INSERT statement: keeps any batch under SQLite's and Postgres' bound-parameter limits (33 per row). */
const ROWS_PER_STATEMENT = 500;
/**
 * SQLite writes run on the event loop (better-sqlite3 is synchronous): a flush commits at most this many rows
 * at once, then lets waiting requests run before the next slice: 64 rows hold the loop for ~0.7 ms, where a
 * 200-row batch held every request behind it for 2 ms or more. Smaller slices pay more commits (~0.2 ms
 * each under load, 3% of the gateway's CPU at 32 rows per slice and 5,000 req/s).
 */
export const SQLITE_ROWS_PER_SLICE = 64;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes request-log rows off the request path: write() only enqueues; a timer, or a full batch, flushes
 * in the background as one transaction per batch. A background flush writes only what was queued when it
 * began (full batches only, when a batch filled up), so rows arriving meanwhile wait for the next tick or
 * the next full batch: at most one transaction per `flushIntervalMs` while fewer than `batchSize` rows
 * arrive in that time. Failed batches stay queued and are retried on the next flush. close() drains the
 * queue; call it at shutdown. A crash loses what is queued: at most `flushIntervalMs` of rows (or
 * `batchSize` rows, whichever comes first), or up to `queueLimit` rows while the database is failing.
 */
export class RequestLogWriter {
  readonly #database: Database;
  readonly #options: RequestLogWriterOptions;
  readonly #queue: RequestLogRow[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly #timer: NodeJS.Timeout;
  #soon: NodeJS.Immediate | undefined;
  #active: Promise<unknown> | undefined;
  #written = 0;
  #transactions = 0;
  #failedFlushes = 0;
  #failing = false;
  #closed = false;

  constructor(database: Database, options: RequestLogWriterOptions) {
    for (const key of ['batchSize', 'flushIntervalMs', 'queueLimit'] as const) {
      if (!Number.isSafeInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`RequestLogWriter option ${key} must be a positive integer, got ${options[key]}`);
      }
    }
    this.#database = database;
    this.#options = options;
    this.#timer = setInterval(() => {
      if (this.#queue.length > 0) void this.#pump(this.#queue.length);
    }, options.flushIntervalMs);
    // A pending flush timer must never keep the process alive; close() drains explicitly.
    this.#timer.unref();
  }

  /**
   * Enqueues a row. Returns a promise only when the queue is over queueLimit; it resolves once there is room.
   * Throws synchronously for a malformed row, so one bad row can never block the batches behind it.
   */
  write(row: RequestLogRow): void | Promise<void> {
    if (this.#closed) throw new Error('RequestLogWriter is closed');
    validateRow(row);
    this.#queue.push(row);
    const over = this.#queue.length > this.#options.queueLimit;
    if (over || this.#queue.length >= this.#options.batchSize) this.#flushSoon();
    if (over) return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Writes every row queued before the call; rejects (rows kept for retry) if the database fails. */
  async flush(): Promise<void> {
    const target = this.#written + this.#queue.length;
    while (this.#written < target) {
      const error = await this.#pump(this.#queue.length);
      if (error !== undefined && this.#written < target) throw error;
    }
  }

  /** Stops accepting rows and drains the queue; rejects if rows could not be written (they stay counted in stats). */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#soon !== undefined) clearImmediate(this.#soon);
    this.#soon = undefined;
    await this.flush();
  }

  stats(): RequestLogStats {
    return { queued: this.#queue.length, written: this.#written, failedFlushes: this.#failedFlushes, transactions: this.#transactions };
  }

  #flushSoon(): void {
    // While the database is failing, retries wait for the timer instead of hammering it on every write.
    if (this.#soon !== undefined || this.#active !== undefined || this.#failing) return;
    this.#soon = setImmediate(() => {
      this.#soon = undefined;
      // Over queueLimit: everything queued (backpressure waits on it); else only the full batches.
      const { batchSize, queueLimit } = this.#options;
      const queued = this.#queue.length;
      void this.#pump(queued > queueLimit ? queued : queued - (queued % batchSize));
    });
  }

  /** Runs (or joins) the single drain loop; resolves to the error that stopped it, if any. */
  #pump(rows: number): Promise<unknown> {
    this.#active ??= this.#drain(rows).finally(() => {
      this.#active = undefined;
      // Writes during the drain did not schedule a flush; a batch that filled meanwhile goes now.
      if (this.#queue.length >= this.#options.batchSize || this.#queue.length > this.#options.queueLimit) this.#flushSoon();
    });
    return this.#active;
  }

  /** Writes (at most) the first `rows` queued rows, one transaction per batch. */
  async #drain(rows: number): Promise<unknown> {
    const sliced = this.#database.sqlite !== undefined;
    const size = sliced ? Math.min(this.#options.batchSize, SQLITE_ROWS_PER_SLICE) : this.#options.batchSize;
    let left = rows;
    let first = true;
    while (left > 0 && this.#queue.length > 0) {
      if (sliced && !first) await nextTurn();
      first = false;
      if (this.#queue.length === 0) break;
      const batch = this.#queue.slice(0, Math.min(size, left));
      try {
        await insertBatch(this.#database, batch);
      } catch (error) {
        this.#failedFlushes += 1;
        if (!this.#failing) {
          try {
            this.#options.onError?.(error, this.#queue.length);
          } catch {
            // A broken error reporter must not turn a retryable failure into an unhandled rejection.
          }
        }
        this.#failing = true;
        return error;
      }
      // Rows leave the queue only after their transaction committed.
      this.#queue.splice(0, batch.length);
      this.#written += batch.length;
      this.#transactions += 1;
      left -= batch.length;
      this.#failing = false;
      if (this.#queue.length <= this.#options.queueLimit) this.#waiters.splice(0).forEach((resolve) => resolve());
    }
    return undefined;
  }
}

/** One prepared INSERT per SQLite handle, bound by column name; its column list is toRecord()'s keys. */
const sqliteInserts = new WeakMap<NonNullable<Database['sqlite']>, (rows: readonly RequestLogRow[]) => void>();

function sqliteInsert(sqlite: NonNullable<Database['sqlite']>, sample: RequestLogRow): (rows: readonly RequestLogRow[]) => void {
  let insert = sqliteInserts.get(sqlite);
  if (!insert) {
    const columns = Object.keys(toRecord(sample));
    const statement = sqlite.prepare(
      `insert into request_log (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')}) on conflict (id) do nothing`,
    );
    // better-sqlite3 transactions are BEGIN … COMMIT around a synchronous loop: one commit per batch.
    insert = sqlite.transaction((rows: readonly RequestLogRow[]) => {
      for (const row of rows) statement.run(toRecord(row));
    });
    sqliteInserts.set(sqlite, insert);
  }
  return insert;
}

async function insertBatch(database: Database, rows: readonly RequestLogRow[]): Promise<void> {
  // SQLite: a prepared statement reused for every row (Kysely would compile and prepare a new multi-row
  // INSERT per batch, ~12% of the gateway's CPU under load). PostgreSQL keeps the Kysely path, and so does
  // SQLite while a Kysely transaction holds the connection (ours would nest in it as a savepoint).
  if (database.sqlite && !database.sqlite.inTransaction && rows.length > 0) {
    sqliteInsert(database.sqlite, rows[0]!)(rows);
    return;
  }
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await trx
        .insertInto('request_log')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT).map(toRecord))
        // A retry after a commit whose acknowledgement was lost must not fail forever on the primary key
        // (id on SQLite; (id, created_at) on PostgreSQL, whose request_log is partitioned by created_at).
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}

export interface RequestLogQuery {
  /** Most rows to return; default 100. */
  limit?: number;
  /** Only rows with createdAt >= since (epoch ms). */
  since?: number;
  apiKeyId?: string;
}

/** Rows newest first. */
export async function queryRequestLog(database: Database, query: RequestLogQuery = {}): Promise<RequestLogRow[]> {
  let select = database.db.selectFrom('request_log').selectAll();
  if (query.since !== undefined) select = select.where('created_at', '>=', query.since);
  if (query.apiKeyId !== undefined) select = select.where('api_key_id', '=', query.apiKeyId);
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit ?? 100)
    .execute();
  return rows.map(fromRecord);
}

const INTEGER_FIELDS = ['createdAt', 'status', 'attempts', 'latencyMs', 'costNanoCny', 'flagshipCostNanoCny', 'cacheSavedNanoCny', 'providerCacheSavedNanoCny'] as const;
const NULLABLE_INTEGER_FIELDS = ['firstByteMs', 'upstreamMs'] as const;
const USAGE_FIELDS = ['inputUncached', 'cacheRead', 'cacheWrite', 'output', 'reasoning', 'imageTokens'] as const;

function validateRow(row: RequestLogRow): void {
  const bad = (field: string, value: unknown): never => {
    throw new TypeError(`Request log row ${row.id}: ${field} must be a safe integer, got ${String(value)}`);
  };
  for (const f of INTEGER_FIELDS) if (!Number.isSafeInteger(row[f])) bad(f, row[f]);
  for (const f of NULLABLE_INTEGER_FIELDS) if (row[f] !== null && !Number.isSafeInteger(row[f])) bad(f, row[f]);
  for (const f of USAGE_FIELDS) if (!Number.isSafeInteger(row.usage[f])) bad(`usage.${f}`, row.usage[f]);
}

export function toRecord(row: RequestLogRow): Insertable<RequestLogTable> {
  return {
    id: row.id,
    created_at: row.createdAt,
    api_key_id: row.apiKeyId,
    endpoint: row.endpoint,
    model_requested: row.modelRequested,
    model_served: row.modelServed,
    provider: row.provider,
    status: row.status,
    error_code: row.errorCode,
    stream: row.stream ? 1 : 0,
    attempts: row.attempts,
    fallback_used: row.fallbackUsed ? 1 : 0,
    latency_ms: row.latencyMs,
    first_byte_ms: row.firstByteMs,
    upstream_ms: row.upstreamMs,
    input_uncached_tokens: row.usage.inputUncached,
    cache_read_tokens: row.usage.cacheRead,
    cache_write_tokens: row.usage.cacheWrite,
    output_tokens: row.usage.output,
    reasoning_tokens: row.usage.reasoning,
    image_tokens: row.usage.imageTokens,
    usage_estimated: row.usage.estimated ? 1 : 0,
    cost_nano_cny: row.costNanoCny,
    route_reason: row.routeReason,
    config_hash: row.configHash,
    client_ip: row.clientIp,
    price_version: row.priceVersion,
    tariff: row.tariff,
    usd_to_cny: row.usdToCny,
    tier: row.tier,
    scenario: row.scenario,
    flagship_model: row.flagshipModel,
    flagship_cost_nano_cny: row.flagshipCostNanoCny,
    cache_status: row.cacheStatus,
    cache_saved_nano_cny: row.cacheSavedNanoCny,
    provider_cache_saved_nano_cny: row.providerCacheSavedNanoCny,
    priority: row.priority ?? null,
    priority_requested: row.priorityRequested ?? null,
    queue_ms: row.queueMs ?? null,
  };
}

function fromRecord(r: Selectable<RequestLogTable>): RequestLogRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    apiKeyId: r.api_key_id,
    endpoint: r.endpoint as RequestLogEndpoint,
    modelRequested: r.model_requested,
    modelServed: r.model_served,
    provider: r.provider,
    status: r.status,
    errorCode: r.error_code,
    stream: r.stream === 1,
    attempts: r.attempts,
    fallbackUsed: r.fallback_used === 1,
    latencyMs: r.latency_ms,
    firstByteMs: r.first_byte_ms,
    upstreamMs: r.upstream_ms,
    usage: {
      inputUncached: r.input_uncached_tokens,
      cacheRead: r.cache_read_tokens,
      cacheWrite: r.cache_write_tokens,
      output: r.output_tokens,
      reasoning: r.reasoning_tokens,
      imageTokens: r.image_tokens,
      estimated: r.usage_estimated === 1,
    },
    costNanoCny: r.cost_nano_cny,
    routeReason: r.route_reason,
    configHash: r.config_hash,
    clientIp: r.client_ip,
    priceVersion: r.price_version,
    tariff: r.tariff,
    usdToCny: r.usd_to_cny === null ? null : Number(r.usd_to_cny),
    tier: r.tier,
    scenario: r.scenario,
    flagshipModel: r.flagship_model,
    flagshipCostNanoCny: r.flagship_cost_nano_cny,
    cacheStatus: (r.cache_status ?? 'bypass') as RequestLogRow['cacheStatus'],
    cacheSavedNanoCny: r.cache_saved_nano_cny,
    providerCacheSavedNanoCny: r.provider_cache_saved_nano_cny,
    priority: r.priority,
    priorityRequested: r.priority_requested,
    queueMs: r.queue_ms,
  };
}
