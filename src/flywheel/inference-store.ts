import type { Database } from '../storage/index.js';
import type { CapturedInput } from './captured-content.js';
import { flywheelDb, type InferencesTable } from './tables.js';

/** A captured inference as stored: masked content plus the metadata datasets are filtered by. */
export interface InferenceRow {
  id: string;
  episodeId: string;
  createdAt: number;
  expiresAt: number;
  apiKeyId: string | null;
  scenario: string | null;
  modelRequested: string;
  modelServed: string | null;
  provider: string | null;
  tier: string | null;
  stream: boolean;
  finishReason: string | null;
  input: CapturedInput;
  output: string;
  promptHash: string;
  inputTokens: number;
  outputTokens: number;
  costNanoCny: number;
  configHash: string;
}

/** Rows per INSERT: 19 columns each stays far under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_STATEMENT = 200;

function toRecord(row: InferenceRow): InferencesTable {
  return {
    id: row.id,
    episode_id: row.episodeId,
    created_at: row.createdAt,
    expires_at: row.expiresAt,
    api_key_id: row.apiKeyId,
    scenario: row.scenario,
    model_requested: row.modelRequested,
    model_served: row.modelServed,
    provider: row.provider,
    tier: row.tier,
    stream: row.stream ? 1 : 0,
    finish_reason: row.finishReason,
    input: JSON.stringify(row.input),
    output: row.output,
    prompt_hash: row.promptHash,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost_nano_cny: row.costNanoCny,
    config_hash: row.configHash,
  };
}

function fromRecord(r: InferencesTable): InferenceRow {
  return {
    id: r.id,
    episodeId: r.episode_id,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    apiKeyId: r.api_key_id,
    scenario: r.scenario,
    modelRequested: r.model_requested,
    modelServed: r.model_served,
    provider: r.provider,
    tier: r.tier,
    stream: r.stream === 1,
    finishReason: r.finish_reason,
    input: JSON.parse(r.input) as CapturedInput,
    output: r.output,
    promptHash: r.prompt_hash,
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costNanoCny: Number(r.cost_nano_cny),
    configHash: r.config_hash,
  };
}

/** Inserts in one transaction; an id already stored is kept as it is (a retried flush never fails on it). */
export async function insertInferences(database: Database, rows: readonly InferenceRow[]): Promise<void> {
  if (rows.length === 0) return;
  await flywheelDb(database).transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      await trx
        .insertInto('inferences')
        .values(rows.slice(i, i + ROWS_PER_STATEMENT).map(toRecord))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  });
}

/** Who owns an inference and when its content expires; undefined when none is stored (or it expired). */
export async function inferenceOwner(database: Database, id: string, now: number): Promise<{ apiKeyId: string | null; expiresAt: number; episodeId: string } | undefined> {
  const row = await flywheelDb(database).selectFrom('inferences').select(['api_key_id', 'expires_at', 'episode_id']).where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
  return row ? { apiKeyId: row.api_key_id, expiresAt: Number(row.expires_at), episodeId: row.episode_id } : undefined;
}

/** The owners of an episode's stored inferences and the latest expiry among them. */
export async function episodeOwner(database: Database, episodeId: string, now: number): Promise<{ apiKeyIds: Array<string | null>; expiresAt: number } | undefined> {
  const rows = await flywheelDb(database).selectFrom('inferences').select(['api_key_id', 'expires_at']).where('episode_id', '=', episodeId).where('expires_at', '>', now).execute();
  if (rows.length === 0) return undefined;
  return { apiKeyIds: [...new Set(rows.map((row) => row.api_key_id))], expiresAt: Math.max(...rows.map((row) => Number(row.expires_at))) };
}

export interface InferenceFilter {
  scenario?: string;
  since?: number;
  until?: number;
  /** Served model ids; tier flagship for distillation. */
  models?: readonly string[];
  tier?: string;
  apiKeyId?: string;
  now: number;
}

/** Stored, unexpired inferences matching the filter, oldest first. */
export async function listInferences(database: Database, filter: InferenceFilter): Promise<InferenceRow[]> {
  let query = flywheelDb(database).selectFrom('inferences').selectAll().where('expires_at', '>', filter.now);
  if (filter.scenario !== undefined) query = query.where('scenario', '=', filter.scenario);
  if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) query = query.where('created_at', '<', filter.until);
  if (filter.models !== undefined && filter.models.length > 0) query = query.where('model_served', 'in', [...filter.models]);
  if (filter.tier !== undefined) query = query.where('tier', '=', filter.tier);
  if (filter.apiKeyId !== undefined) query = query.where('api_key_id', '=', filter.apiKeyId);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(fromRecord);
}

/** Inferences by id (unexpired), in no particular order. */
export async function inferencesById(database: Database, ids: readonly string[], now: number): Promise<InferenceRow[]> {
  const out: InferenceRow[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await flywheelDb(database).selectFrom('inferences').selectAll().where('id', 'in', ids.slice(i, i + 500)).where('expires_at', '>', now).execute();
    out.push(...rows.map(fromRecord));
  }
  return out;
}
