import { createHash } from 'node:crypto';
import { stableStringify } from '../canonical/stable-json.js';
import { GatewayError } from '../errors/catalogue.js';
import { uuidv7 } from '../pipeline/ids.js';
import type { PrivacyEngine } from '../privacy/index.js';
import type { Database } from '../storage/index.js';
import type { CaptureWriter } from './capture-writer.js';
import { maskForStorage } from './captured-content.js';
import type { FlywheelConfig, MetricConfig } from './config-schema.js';
import { insertFeedback } from './feedback-store.js';
import { episodeOwner, inferenceOwner } from './inference-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_TEXT = 100_000;

/** True for a UUID (any version), the form of inference and episode ids. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export interface FeedbackDeps {
  readonly database: Database;
  readonly flywheel: FlywheelConfig;
  readonly engine: PrivacyEngine;
  readonly writer: CaptureWriter | undefined;
  readonly now: () => number;
}

/** Who sends the feedback: a key sees only its own inferences; the admin (or an open gateway) sees all. */
export interface FeedbackCaller {
  readonly apiKeyId: string | undefined;
  readonly seesAll: boolean;
}

export interface FeedbackResult {
  readonly id: string;
  readonly targetType: 'inference' | 'episode';
  readonly targetId: string;
  readonly metric: string;
  /** False when the same feedback (same idempotency key, or same payload) was recorded before. */
  readonly created: boolean;
  /** The stored number (boolean 1/0 or float), null for text feedback. */
  readonly valueNumber: number | null;
}

const invalid = (message: string, param: string) => new GatewayError('invalid_request', message, { param });

interface ParsedFeedback {
  targetType: 'inference' | 'episode';
  targetId: string;
  metric: string;
  config: MetricConfig;
  valueNumber: number | null;
  valueText: string | null;
  idempotencyKey: string | undefined;
}

function parse(body: unknown, flywheel: FlywheelConfig, headerKey: string | undefined): ParsedFeedback {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The body must be a JSON object {inference_id | episode_id, metric, value}.', 'body');
  const fields = body as Record<string, unknown>;
  const allowed = new Set(['inference_id', 'episode_id', 'metric', 'value', 'comment', 'idempotency_key']);
  for (const key of Object.keys(fields)) if (!allowed.has(key)) throw invalid(`Unknown field "${key}"; send inference_id or episode_id, metric, value, and optionally comment and idempotency_key.`, key);
  const metric = fields['metric'];
  if (typeof metric !== 'string' || metric === '') throw invalid('metric is required: the name of a metric from the config, or "comment" or "demonstration".', 'metric');
  const config = flywheel.metrics[metric];
  if (!config) {
    const declared = Object.keys(flywheel.metrics).join(', ');
    throw new GatewayError('unknown_metric', `Unknown metric "${metric}"; declared metrics: ${declared}.`, { param: 'metric' });
  }
  const inferenceId = fields['inference_id'];
  const episodeId = fields['episode_id'];
  if ((inferenceId === undefined) === (episodeId === undefined)) throw invalid('Send exactly one of inference_id and episode_id.', inferenceId === undefined ? 'inference_id' : 'episode_id');
  const targetType = inferenceId !== undefined ? 'inference' : 'episode';
  const targetId = targetType === 'inference' ? inferenceId : episodeId;
  if (typeof targetId !== 'string' || !isUuid(targetId)) {
    throw new GatewayError(targetType === 'episode' ? 'invalid_episode_id' : 'invalid_request', `${targetType}_id must be a UUID such as the x-tidegate-${targetType === 'episode' ? 'episode' : 'request'}-id response header.`, { param: `${targetType}_id` });
  }
  const wantedLevel = config.type === 'demonstration' ? 'inference' : config.type === 'comment' ? targetType : config.level;
  if (wantedLevel !== targetType) {
    throw new GatewayError('feedback_level_mismatch', `Metric "${metric}" scores ${wantedLevel === 'inference' ? 'single inferences: send inference_id' : 'whole episodes: send episode_id'}.`, { param: `${targetType}_id` });
  }
  const value = fields['value'];
  let valueNumber: number | null = null;
  let valueText: string | null = null;
  if (config.type === 'boolean') {
    if (typeof value !== 'boolean') throw new GatewayError('invalid_feedback_value', `Metric "${metric}" is boolean: value must be true or false, got ${JSON.stringify(value) ?? 'nothing'}.`, { param: 'value' });
    valueNumber = value ? 1 : 0;
  } else if (config.type === 'float') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new GatewayError('invalid_feedback_value', `Metric "${metric}" is a float: value must be a finite number, got ${JSON.stringify(value) ?? 'nothing'}.`, { param: 'value' });
    valueNumber = value;
  } else {
    // A demonstration may also be sent as the assistant message itself.
    const text = typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string' ? (value as { content: string }).content : value;
    if (typeof text !== 'string' || text.trim() === '') throw new GatewayError('invalid_feedback_value', `"${metric}" feedback needs a non-empty text value${config.type === 'demonstration' ? ' (the ideal answer)' : ''}.`, { param: 'value' });
    if (text.length > MAX_TEXT) throw new GatewayError('invalid_feedback_value', `"${metric}" text is longer than ${MAX_TEXT} characters.`, { param: 'value' });
    valueText = text;
  }
  const comment = fields['comment'];
  if (comment !== undefined) {
    if (typeof comment !== 'string' || comment.length > MAX_TEXT) throw invalid(`comment must be text of at most ${MAX_TEXT} characters.`, 'comment');
    if (valueText === null) valueText = comment;
  }
  const bodyKey = fields['idempotency_key'];
  if (bodyKey !== undefined && (typeof bodyKey !== 'string' || bodyKey === '' || bodyKey.length > 200)) throw invalid('idempotency_key must be a non-empty string of at most 200 characters.', 'idempotency_key');
  const idempotencyKey = (bodyKey as string | undefined) ?? (headerKey === '' ? undefined : headerKey?.slice(0, 200));
  return { targetType, targetId: targetId.toLowerCase(), metric, config, valueNumber, valueText, idempotencyKey };
}

/** When the target's content expires, after checking it exists and the caller may see it (else 404, the same as unknown). */
async function targetExpiry(deps: FeedbackDeps, caller: FeedbackCaller, parsed: ParsedFeedback): Promise<number> {
  const now = deps.now();
  const mine = (owner: string | null) => caller.seesAll || (caller.apiKeyId !== undefined && owner === caller.apiKeyId);
  if (parsed.targetType === 'inference') {
    const pending = deps.writer?.pending(parsed.targetId);
    const owner = pending ? { apiKeyId: pending.apiKeyId, expiresAt: pending.createdAt + pending.draft.retentionMs } : await inferenceOwner(deps.database, parsed.targetId, now);
    if (!owner || !mine(owner.apiKeyId)) throw new GatewayError('inference_not_found', `No captured inference ${parsed.targetId} for this key. Only calls on routes, scenarios or keys listed under capture: are kept, and only until their content expires.`, { param: 'inference_id' });
    return owner.expiresAt;
  }
  const pending = deps.writer?.pendingEpisode(parsed.targetId) ?? [];
  const stored = await episodeOwner(deps.database, parsed.targetId, now);
  const owners = [...pending.map((record) => record.apiKeyId), ...(stored?.apiKeyIds ?? [])];
  const expiries = [...pending.map((record) => record.createdAt + record.draft.retentionMs), ...(stored ? [stored.expiresAt] : [])];
  if (owners.length === 0 || !owners.some(mine)) throw new GatewayError('episode_not_found', `No captured inference in episode ${parsed.targetId} for this key.`, { param: 'episode_id' });
  return Math.max(...expiries);
}

/**
 * POST /v1/feedback's logic: validate against the metric's type and level, check the target, mask any text,
 * and store once. The same idempotency key (or, without one, the same payload) from the same caller always
 * returns the first feedback's id; a key reused with a different payload is 409 idempotency_key_reused.
 */
export async function recordFeedback(deps: FeedbackDeps, caller: FeedbackCaller, body: unknown, idempotencyHeader?: string): Promise<FeedbackResult> {
  const parsed = parse(body, deps.flywheel, idempotencyHeader);
  const contentExpiry = await targetExpiry(deps, caller, parsed);
  const now = deps.now();
  const valueText = parsed.valueText === null ? null : maskForStorage(deps.engine, parsed.valueText);
  const payloadHash = createHash('sha256')
    .update(stableStringify({ t: parsed.targetType, id: parsed.targetId, m: parsed.metric, n: parsed.valueNumber, s: parsed.valueText }))
    .digest('hex');
  const scope = caller.apiKeyId ?? 'open';
  const dedupeKey = createHash('sha256').update(`${scope}\u0000${parsed.idempotencyKey === undefined ? `payload:${payloadHash}` : `key:${parsed.idempotencyKey}`}`).digest('hex');
  const isText = parsed.config.type === 'comment' || parsed.config.type === 'demonstration' || valueText !== null;
  const { row, created } = await insertFeedback(deps.database, {
    id: uuidv7(now),
    target_type: parsed.targetType,
    target_id: parsed.targetId,
    metric: parsed.metric,
    kind: parsed.config.type,
    value_number: parsed.valueNumber,
    value_text: valueText,
    api_key_id: caller.apiKeyId ?? null,
    created_at: now,
    // Text is content and lives as long as the inference's content; a bare score is metadata.
    expires_at: isText ? contentExpiry : now + deps.flywheel.capture.metadataRetentionMs,
    dedupe_key: dedupeKey,
    payload_hash: payloadHash,
  });
  if (!created && row.payload_hash !== payloadHash) {
    throw new GatewayError('idempotency_key_reused', `Idempotency key "${parsed.idempotencyKey}" was already used for different feedback (${row.id}).`, { param: 'idempotency_key' });
  }
  return { id: row.id, targetType: row.target_type, targetId: row.target_id, metric: row.metric, created, valueNumber: row.value_number };
}
