import { sql, type Selectable } from 'kysely';
import type { Database } from '../storage/database.js';
import type { RequestLogTable } from '../storage/schema.js';

export type RequestRecord = Selectable<RequestLogTable>;

export interface RequestSearch {
  from: number;
  until: number;
  key?: string;
  model?: string;
  provider?: string;
  route?: string;
  scenario?: string;
  statusClass?: '2xx' | '4xx' | '5xx';
  cache?: 'hit' | 'semantic-hit' | 'miss' | 'bypass';
  errorCode?: string;
  limit: number;
  /** The (created_at, id) of the last row of the previous page. */
  after?: { at: number; id: string };
}

const STATUS_RANGES = { '2xx': [200, 300], '4xx': [400, 500], '5xx': [500, 600] } as const;

/** One page of request-log rows, newest first, filtered server-side; `more` when another page follows. */
export async function searchRequests(database: Database, search: RequestSearch): Promise<{ rows: RequestRecord[]; more: boolean }> {
  let query = database.db.selectFrom('request_log').selectAll().where('created_at', '>=', search.from).where('created_at', '<', search.until);
  if (search.key !== undefined) query = query.where('api_key_id', '=', search.key);
  if (search.model !== undefined) query = query.where(sql<string>`coalesce(model_served, model_requested)`, '=', search.model);
  if (search.provider !== undefined) query = query.where('provider', '=', search.provider);
  if (search.route !== undefined) query = query.where('model_requested', '=', search.route);
  if (search.scenario !== undefined) query = query.where('scenario', '=', search.scenario);
  if (search.cache !== undefined) query = query.where('cache_status', '=', search.cache);
  if (search.errorCode !== undefined) query = query.where('error_code', '=', search.errorCode);
  if (search.statusClass !== undefined) {
    const [low, high] = STATUS_RANGES[search.statusClass];
    query = query.where('status', '>=', low).where('status', '<', high);
  }
  if (search.after !== undefined) {
    const { at, id } = search.after;
    query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit + 1).execute();
  return { rows: rows.slice(0, search.limit), more: rows.length > search.limit };
}

/** One request-log row by its request id. */
export async function requestById(database: Database, id: string): Promise<RequestRecord | undefined> {
  return database.db.selectFrom('request_log').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Key names for the key ids on a page (ids of deleted keys are left out). */
export async function keyNames(database: Database, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await database.db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((row) => [row.id, row.name]));
}
