import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';

/** Kysely table types of migration 0007 (storage/flywheel-migration.ts); same encoding rules as storage/schema.ts. */
export interface InferencesTable {
  /** The request id (UUIDv7). */
  id: string;
  episode_id: string;
  created_at: number;
  /** When the content is deleted by the retention sweep (epoch ms). */
  expires_at: number;
  api_key_id: string | null;
  scenario: string | null;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  tier: string | null;
  stream: number;
  finish_reason: string | null;
  /** JSON: { messages, params } with personal data masked. */
  input: string;
  /** The answer text with personal data masked. */
  output: string;
  /** sha256 of the normalised prompt (dedup and train/eval split). */
  prompt_hash: string;
  input_tokens: number;
  output_tokens: number;
  cost_nano_cny: number;
  config_hash: string;
}

export interface FeedbackTable {
  id: string;
  target_type: 'inference' | 'episode';
  target_id: string;
  metric: string;
  kind: 'boolean' | 'float' | 'comment' | 'demonstration';
  value_number: number | null;
  value_text: string | null;
  api_key_id: string | null;
  created_at: number;
  expires_at: number;
  /** The idempotency key (or the payload hash) scoped to the caller; unique. */
  dedupe_key: string;
  payload_hash: string;
}

export interface DatasetsTable {
  name: string;
  created_at: number;
  /** JSON of the DatasetSpec it was built from. */
  spec: string;
  /** JSON of the build report (counts). */
  report: string;
}

export interface DatasetRowsTable {
  dataset: string;
  inference_id: string;
  split: 'train' | 'eval';
  source: 'demonstration' | 'feedback' | 'flagship';
  prompt_hash: string;
}

// A type alias (not an interface) so it meets withTables' index-signature constraint.
export type FlywheelSchema = {
  inferences: InferencesTable;
  feedback: FeedbackTable;
  datasets: DatasetsTable;
  dataset_rows: DatasetRowsTable;
};

/** The store's query builder with the flywheel tables added. */
export function flywheelDb(database: Database): Kysely<FlywheelSchema> {
  return database.db.withTables<FlywheelSchema>() as unknown as Kysely<FlywheelSchema>;
}
