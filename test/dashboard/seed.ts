import { createHash } from 'node:crypto';
import type { BudgetEnforcer, Reservation } from '../../src/budgets/budget-guard.js';
import { insertFeedback } from '../../src/flywheel/feedback-store.js';
import { insertInferences, type InferenceRow } from '../../src/flywheel/inference-store.js';
import { SHADOW_VERDICT_METRIC } from '../../src/flywheel/router-labels.js';
import { RollupJob } from '../../src/rollups/rollup-job.js';
import { lcg } from '../fixtures/lcg.js';
import { writeLogRows } from '../storage/storage-targets.js';
import {
  claimJob,
  completeJob,
  createApiKey,
  getJob,
  insertBatchWithLines,
  insertJobs,
  revokeApiKey,
  setTeamLimits,
  settleForwardedLine,
  updateBatch,
  updateProviderBatch,
  type Database,
  type NewJob,
  type RequestLogRow,
} from '../../src/storage/index.js';

/**
 * A realistic mixed store for the dashboard's tests and the UI's browser tests, written through the real store
 * APIs (key and team admin, the request-log writer, the job and batch stores with their billing transactions,
 * the flywheel's inference and feedback stores), then rolled up. Deterministic for a given `now`.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface SeedOptions {
  /** The seeded history ends just before this instant (epoch ms); default Date.now(). */
  now?: number;
  /** Days of history; default 14. */
  days?: number;
  /** Interactive requests per day; default 200. */
  requestsPerDay?: number;
}

export interface SeededKey {
  id: string;
  name: string;
  /** The secret (tg-…): seeded keys can call the gateway. */
  key: string;
  team: string | null;
  revoked: boolean;
}

/** A budget hold to place on a running gateway's guard (`services.budgets.guard.reserve`): holds live in memory. */
export interface SeedHold {
  keyId: string;
  team: string | null;
  nano: number;
}

export interface SeedSummary {
  now: number;
  /** The range every seeded row falls in: [from, to). */
  from: number;
  to: number;
  keys: SeededKey[];
  teams: string[];
  /** Rows in request_log (interactive plus billed jobs and batch lines). */
  requests: number;
  /** Sums over every request-log row, in nano-yuan. */
  totals: { costNano: number; flagshipCostNano: number; errors: number };
  /** Request ids worth looking up. */
  sample: { ok: string; error: string; cacheHit: string; semanticHit: string; escalated: string; fallback: string };
  batches: string[];
  inferences: number;
  shadowVerdicts: number;
  holds: SeedHold[];
}

/** Model → provider, tier, price (CNY per 1M tokens: input, cache read, output) and its flagship. */
export const SEED_MODELS = {
  'deepseek-v4-pro': { provider: 'deepseek', tier: 'flagship', price: [4, 0.8, 16], flagship: 'deepseek-v4-pro' },
  'deepseek-flash': { provider: 'deepseek', tier: 'light', price: [1, 0.2, 2], flagship: 'deepseek-v4-pro' },
  'qwen-max': { provider: 'qwen', tier: 'flagship', price: [2.4, 0.6, 9.6], flagship: 'qwen-max' },
  'qwen-turbo': { provider: 'qwen', tier: 'light', price: [0.3, 0.06, 0.6], flagship: 'qwen-max' },
} as const;
type SeedModel = keyof typeof SEED_MODELS;
const COUNTERPART: Record<SeedModel, SeedModel> = { 'deepseek-v4-pro': 'qwen-max', 'qwen-max': 'deepseek-v4-pro', 'deepseek-flash': 'qwen-turbo', 'qwen-turbo': 'deepseek-flash' };

/** A config for a gateway serving the seeded store (models, routes, scenarios with quality bars, secret keys). */
export function seedConfigYaml(storageUrl: string, secrets = { deepseek: 'sk-seed-deepseek-SECRET-0001', qwen: 'sk-seed-qwen-SECRET-0002', admin: 'tg-admin-dashboard-test' }, port = 0): string {
  return `server: { port: ${port}, host: 127.0.0.1 }
storage: { url: "${storageUrl}" }
admin: { key: "${secrets.admin}" }
providers:
  - { id: deepseek, preset: deepseek, apiKey: "${secrets.deepseek}", baseUrl: "http://127.0.0.1:9/deepseek" }
  - { id: qwen, preset: qwen, apiKey: "${secrets.qwen}", baseUrl: "http://127.0.0.1:9/qwen" }
models:
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
  - { id: deepseek-flash, provider: deepseek, tier: light, fallbacks: [qwen-turbo] }
  - { id: qwen-max, provider: qwen, tier: flagship }
  - { id: qwen-turbo, provider: qwen, tier: light }
routes:
  - id: auto
    light: [deepseek-flash, qwen-turbo]
    flagship: [deepseek-v4-pro, qwen-max]
    qualityTarget: 0.95
    scenarios: { essay-grading: { qualityTarget: 0.98 } }
  - id: math
    light: [deepseek-flash]
    flagship: [deepseek-v4-pro]
    cascade: { enabled: true, verifier: arithmetic }
metrics:
  helpful: { type: boolean, optimize: max }
  grade_error: { type: float, optimize: min }
scenarios:
  support: { quality: { metric: helpful, target: 0.9 } }
  essay-grading: { quality: { metric: grade_error, target: 5 } }
  research: { priority: deferrable }
`;
}

/** Cost in nano-yuan of usage on a model (prices per 1M tokens → nano per token = price × 1000). */
function priced(model: SeedModel, input: number, cacheRead: number, output: number, multiplier = 1): number {
  const [inPrice, readPrice, outPrice] = SEED_MODELS[model].price;
  return Math.round(((input - cacheRead) * inPrice * 1000 + cacheRead * readPrice * 1000 + output * outPrice * 1000) * multiplier);
}

/** DeepSeek's valley: outside Mon–Fri 09–12 and 14–18 Beijing time. */
function offPeak(at: number): boolean {
  const local = new Date(at + 8 * HOUR);
  const hour = local.getUTCHours();
  const weekday = local.getUTCDay() >= 1 && local.getUTCDay() <= 5;
  return !(weekday && ((hour >= 9 && hour < 12) || (hour >= 14 && hour < 18)));
}

const ERRORS = [
  { status: 429, code: 'rate_limited' },
  { status: 429, code: 'budget_exceeded' },
  { status: 502, code: 'upstream_unavailable' },
  { status: 504, code: 'upstream_timeout' },
  { status: 400, code: 'invalid_request' },
  { status: 503, code: 'circuit_open' },
] as const;

function baseRow(id: string, createdAt: number): RequestLogRow {
  return {
    id, createdAt, apiKeyId: null, endpoint: 'chat', modelRequested: 'auto', modelServed: null, provider: null, status: 200, errorCode: null,
    stream: false, attempts: 1, fallbackUsed: false, latencyMs: 0, firstByteMs: null, upstreamMs: null,
    usage: { inputUncached: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, imageTokens: 0, estimated: false },
    costNanoCny: 0, routeReason: null, configHash: 'seed-config', clientIp: '10.0.0.7', priceVersion: null, tariff: null, usdToCny: null,
    tier: null, scenario: null, flagshipModel: null, flagshipCostNanoCny: 0, cacheStatus: 'miss', cacheSavedNanoCny: 0, providerCacheSavedNanoCny: 0,
    priority: 'standard', priorityRequested: null, queueMs: 0,
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

export async function seedDashboardStore(database: Database, options: SeedOptions = {}): Promise<SeedSummary> {
  const now = options.now ?? Date.now();
  const days = options.days ?? 14;
  const perDay = options.requestsPerDay ?? 200;
  const from = now - days * DAY;
  const next = lcg(Math.floor(now / 1000) ^ 0x5eed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  const between = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));

  // Teams and keys, through the admin store API.
  await setTeamLimits(database, { name: 'edu', dailyBudgetNano: null, monthlyBudgetNano: 5_000 * 1e9, rpm: null }, from);
  await setTeamLimits(database, { name: 'cs', dailyBudgetNano: 300 * 1e9, monthlyBudgetNano: 4_000 * 1e9, rpm: 600 }, from);
  const specs = [
    { name: 'essay-service', team: 'edu', dailyBudgetNano: 200 * 1e9, monthlyBudgetNano: 3_000 * 1e9 },
    { name: 'support-bot', team: 'cs', dailyBudgetNano: null, monthlyBudgetNano: 2_000 * 1e9 },
    { name: 'research-batch', team: 'edu', dailyBudgetNano: null, monthlyBudgetNano: 1_000 * 1e9 },
    { name: 'playground', team: null, dailyBudgetNano: 5 * 1e9, monthlyBudgetNano: null },
    { name: 'old-integration', team: 'cs', dailyBudgetNano: null, monthlyBudgetNano: null },
  ];
  const keys: SeededKey[] = [];
  for (const spec of specs) {
    const created = await createApiKey(database, spec.name, from - DAY, { team: spec.team, dailyBudgetNano: spec.dailyBudgetNano, monthlyBudgetNano: spec.monthlyBudgetNano });
    keys.push({ id: created.id, name: created.name, key: created.key, team: spec.team, revoked: false });
  }
  const [essay, support, research, playground, old] = keys as [SeededKey, SeededKey, SeededKey, SeededKey, SeededKey];

  // Interactive traffic through the real request-log writer.
  const rows: RequestLogRow[] = [];
  const sample: Partial<SeedSummary['sample']> = {};
  let seq = 0;
  for (let day = 0; day < days; day += 1) {
    for (let i = 0; i < perDay; i += 1) {
      const createdAt = from + day * DAY + Math.floor(next() * DAY);
      if (createdAt >= now) continue;
      seq += 1;
      const id = `req_${createdAt.toString(36)}_${seq.toString().padStart(6, '0')}`;
      const row = baseRow(id, createdAt);
      const key = createdAt < from + DAY * Math.max(1, days / 2) && next() < 0.08 ? old : pick([essay, essay, support, support, support, research, playground]);
      row.apiKeyId = key.id;
      row.scenario = key === essay ? 'essay-grading' : key === support ? 'support' : key === research ? pick(['research', null]) : null;
      const route = key === research ? pick(['math', 'auto', 'qwen-max']) : key === playground ? pick(['qwen-turbo', 'deepseek-v4-pro', 'auto']) : pick(['auto', 'auto', 'auto', 'math']);
      row.modelRequested = route;
      row.stream = next() < 0.5;
      let model: SeedModel;
      if (route === 'auto') {
        const light = next() < (row.scenario === 'essay-grading' ? 0.45 : 0.68);
        const family = next() < 0.7 ? 'deepseek' : 'qwen';
        model = light ? (family === 'deepseek' ? 'deepseek-flash' : 'qwen-turbo') : family === 'deepseek' ? 'deepseek-v4-pro' : 'qwen-max';
        const score = light ? 0.1 + next() * 0.4 : 0.55 + next() * 0.4;
        row.routeReason = `auto: router router-v1 score ${score.toFixed(3)} ${light ? '<' : '>='} threshold 0.550 for 95% target -> ${light ? 'light' : 'flagship'}`;
      } else if (route === 'math') {
        const escalated = next() < 0.25;
        model = escalated ? 'deepseek-v4-pro' : 'deepseek-flash';
        row.routeReason = `math: cascade; cascade: arithmetic check: ${escalated ? 'a step does not add up' : 'every step checks'} -> ${escalated ? 'escalated to flagship' : 'accepted'}`;
      } else {
        model = route as SeedModel;
        row.routeReason = `${route}: requested directly`;
      }
      // Now and then the first choice fails before its first byte and the other family's model of the same tier serves.
      const fallback = next() < 0.04;
      if (fallback) model = COUNTERPART[model];
      const spec = SEED_MODELS[model];
      row.modelServed = model;
      row.provider = spec.provider;
      row.tier = spec.tier;
      row.flagshipModel = spec.flagship;
      const failure = next();
      if (failure < 0.06) {
        const error = pick(ERRORS);
        row.status = error.status;
        row.errorCode = error.code;
        row.latencyMs = between(2, error.status >= 500 ? 30_000 : 40);
        row.upstreamMs = error.status >= 500 ? row.latencyMs - 2 : null;
        row.attempts = error.status >= 500 ? between(1, 3) : 1;
        if (error.status === 400 || error.code === 'budget_exceeded' || error.code === 'rate_limited') {
          row.modelServed = null;
          row.provider = null;
          row.tier = null;
        }
        sample.error ??= id;
        rows.push(row);
        continue;
      }
      const input = between(200, 4_000);
      const output = between(40, 900);
      const cache = row.scenario === 'research' ? 'bypass' : pick(['miss', 'miss', 'miss', 'miss', 'miss', 'miss', 'hit', 'hit', 'semantic-hit', 'bypass'] as const);
      row.cacheStatus = cache;
      const tariffMultiplier = spec.provider === 'deepseek' && offPeak(createdAt) ? 0.5 : 1;
      row.tariff = tariffMultiplier < 1 ? 'off-peak' : 'standard';
      row.priceVersion = `${model}@2026-08-17`;
      if (cache === 'hit' || cache === 'semantic-hit') {
        row.usage = { ...row.usage, inputUncached: input, output };
        row.costNanoCny = 0;
        row.cacheSavedNanoCny = priced(model, input, 0, output, tariffMultiplier);
        row.flagshipCostNanoCny = priced(spec.flagship, input, 0, output, tariffMultiplier);
        row.latencyMs = between(1, cache === 'semantic-hit' ? 40 : 8);
        row.firstByteMs = row.stream ? row.latencyMs : null;
        row.upstreamMs = null;
        if (cache === 'hit') sample.cacheHit ??= id;
        else sample.semanticHit ??= id;
      } else {
        const cacheRead = next() < 0.35 ? Math.floor(input * (0.3 + next() * 0.6)) : 0;
        const cacheWrite = cacheRead === 0 && next() < 0.05 ? between(100, 500) : 0;
        row.usage = { inputUncached: input - cacheRead - cacheWrite, cacheRead, cacheWrite, output, reasoning: model === 'deepseek-v4-pro' ? Math.floor(output / 3) : 0, imageTokens: 0, estimated: false };
        row.costNanoCny = priced(model, input, cacheRead, output, tariffMultiplier);
        row.providerCacheSavedNanoCny = priced(model, input, 0, 0, tariffMultiplier) - priced(model, input, cacheRead, 0, tariffMultiplier) - cacheWrite * 100;
        row.flagshipCostNanoCny = priced(spec.flagship, input, cacheRead, output, tariffMultiplier);
        const upstream = Math.round((spec.tier === 'flagship' ? 900 : 300) + output * (spec.tier === 'flagship' ? 9 : 4) * (0.6 + next()));
        const overhead = next() < 0.9 ? between(1, 6) : between(7, 120);
        row.upstreamMs = upstream;
        row.latencyMs = upstream + overhead;
        row.firstByteMs = row.stream ? Math.round(upstream * (0.15 + next() * 0.2)) + overhead : null;
        if (fallback) {
          row.fallbackUsed = true;
          row.attempts = 2;
          sample.fallback ??= id;
        } else if (next() < 0.05) {
          row.attempts = between(2, 3);
        } else {
          sample.ok ??= id;
          if (route === 'math' && spec.tier === 'flagship') sample.escalated ??= id;
        }
      }
      rows.push(row);
    }
  }
  await writeLogRows(database, rows);

  // Deferred single requests (the valley), claimed and billed through the job store as the runner does.
  const deferred: NewJob[] = [];
  for (let day = 0; day < days; day += 1) {
    for (let i = 0; i < 3; i += 1) {
      const createdAt = from + day * DAY + Math.floor(next() * DAY);
      const model: SeedModel = pick(['deepseek-v4-pro', 'deepseek-flash']);
      // Jobs still waiting start in a valley hours from now, so a gateway started on the store leaves them alone.
      const waiting = createdAt + 3 * HOUR >= now;
      deferred.push({
        id: `job_seed_${day}_${i}`, batch_id: null, custom_id: null, line_no: null, api_key_id: research.id, scenario: 'research', model,
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Summarise the attached survey.' }] }), status: 'queued',
        created_at: createdAt, not_before: waiting ? now + 10 * HOUR : createdAt + 2 * HOUR, deadline_at: waiting ? now + 20 * HOUR : createdAt + 24 * HOUR,
        plan: 'cheapest window before the deadline',
      });
    }
  }
  await insertJobs(database, deferred);
  for (const job of deferred) {
    const finishedAt = job.created_at + 3 * HOUR;
    if (finishedAt >= now) continue;
    const stored = (await getJob(database, job.id))!;
    const requestId = `req_job_${job.id}`;
    if (!(await claimJob(database, stored, requestId, finishedAt - 60_000))) continue;
    const model = job.model as SeedModel;
    const spec = SEED_MODELS[model];
    const [input, output] = [between(500, 3_000), between(200, 1_200)];
    const onDemand = priced(model, input, 0, output);
    const cost = Math.round(onDemand / 2);
    const log = baseRow(requestId, finishedAt);
    Object.assign(log, {
      apiKeyId: job.api_key_id, modelRequested: model, modelServed: model, provider: spec.provider, tier: spec.tier, scenario: 'research',
      latencyMs: 4_000, upstreamMs: 3_990, usage: { ...log.usage, inputUncached: input, output }, costNanoCny: cost, tariff: 'off-peak',
      flagshipModel: spec.flagship, flagshipCostNanoCny: Math.round(priced(spec.flagship, input, 0, output) / 2), cacheStatus: 'bypass',
      priority: 'deferrable', queueMs: 3 * HOUR, routeReason: `${model}: deferred job run in the off-peak window`,
    } satisfies Partial<RequestLogRow>);
    await completeJob(database, job.id, requestId, { status: 'succeeded', statusCode: 200, result: '{}', inputTokens: input, outputTokens: output, costNanoCny: cost, onDemandNanoCny: onDemand, tariff: 'off-peak', finishedAt }, log);
    rows.push(log);
  }

  // Batches: one finished (forwarded to Qwen's batch API, billed at the batch tariff), one in flight.
  const batches: string[] = [];
  const batchAt = from + Math.min(1, days - 1) * DAY + 2 * HOUR;
  const doneId = `batch_seed_done`;
  const lines = (batchId: string, count: number, createdAt: number, status: string, providerBatchId: string | null, model: SeedModel): NewJob[] =>
    Array.from({ length: count }, (_, line) => ({
      id: `${batchId}_line_${line}`, batch_id: batchId, custom_id: `item-${line}`, line_no: line, api_key_id: research.id, scenario: 'research', model,
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `Grade essay ${line}` }] }), status, created_at: createdAt,
      not_before: providerBatchId ? createdAt : Math.max(createdAt, now + 10 * HOUR), deadline_at: createdAt + DAY, plan: providerBatchId ? 'forwarded to the provider batch API' : 'valley', provider_batch_id: providerBatchId,
    }));
  await insertBatchWithLines(
    database,
    { id: doneId, api_key_id: research.id, endpoint: '/v1/chat/completions', input_file_id: 'file_seed_done', completion_window: '24h', status: 'in_progress', total: 12, metadata: null, created_at: batchAt, expires_at: batchAt + DAY, in_progress_at: batchAt },
    [{ id: 'pbatch_seed_done', batch_id: doneId, provider: 'qwen', status: 'submitted', lines: 12, upstream_input_file_id: 'file-up-1', upstream_batch_id: 'batch-up-1', upstream_status: 'in_progress', cancel_requested: 0, created_at: batchAt, submitted_at: batchAt + 60_000 }],
    lines(doneId, 12, batchAt, 'upstream', 'pbatch_seed_done', 'qwen-max'),
  );
  const settledAt = Math.min(batchAt + 5 * HOUR, now - 60_000);
  for (let line = 0; line < 12; line += 1) {
    const requestId = `req_batch_${doneId}_${line}`;
    const failed = line === 11;
    const [input, output] = [between(800, 2_000), between(100, 400)];
    const onDemand = failed ? 0 : priced('qwen-max', input, 0, output);
    const cost = Math.round(onDemand / 2);
    const log = failed ? undefined : Object.assign(baseRow(requestId, settledAt), {
      apiKeyId: research.id, modelRequested: 'qwen-max', modelServed: 'qwen-max', provider: 'qwen', tier: 'flagship', scenario: 'research', latencyMs: 0,
      usage: { inputUncached: input, cacheRead: 0, cacheWrite: 0, output, reasoning: 0, imageTokens: 0, estimated: false }, costNanoCny: cost, tariff: 'batch',
      flagshipModel: 'qwen-max', flagshipCostNanoCny: cost, cacheStatus: 'bypass' as const, priority: 'deferrable', routeReason: 'qwen-max: provider batch API',
    });
    await settleForwardedLine(database, `${doneId}_line_${line}`, failed
      ? { status: 'failed', statusCode: 400, error: '{"code":"upstream_bad_request"}', inputTokens: 0, outputTokens: 0, costNanoCny: 0, onDemandNanoCny: 0, tariff: null, finishedAt: settledAt, requestId: null }
      : { status: 'succeeded', statusCode: 200, result: '{}', inputTokens: input, outputTokens: output, costNanoCny: cost, onDemandNanoCny: onDemand, tariff: 'batch', finishedAt: settledAt, requestId }, log);
    if (log) rows.push(log);
  }
  await updateProviderBatch(database, 'pbatch_seed_done', ['submitted'], { status: 'completed', upstream_status: 'completed', polled_at: settledAt, settled_at: settledAt });
  await updateBatch(database, doneId, ['in_progress'], { status: 'completed', finalizing_at: settledAt, completed_at: settledAt, output_file_id: 'file_seed_out' });
  batches.push(doneId);

  const liveAt = now - 3 * HOUR;
  const liveId = 'batch_seed_live';
  await insertBatchWithLines(
    database,
    { id: liveId, api_key_id: essay.id, endpoint: '/v1/chat/completions', input_file_id: 'file_seed_live', completion_window: '24h', status: 'in_progress', total: 15, metadata: '{"job":"weekly essays"}', created_at: liveAt, expires_at: liveAt + DAY, in_progress_at: liveAt },
    [{ id: 'pbatch_seed_live', batch_id: liveId, provider: 'qwen', status: 'submitted', lines: 10, upstream_input_file_id: 'file-up-2', upstream_batch_id: 'batch-up-2', upstream_status: 'in_progress', cancel_requested: 0, created_at: liveAt, submitted_at: liveAt + 60_000, polled_at: now - 120_000 }],
    [...lines(liveId, 10, liveAt, 'upstream', 'pbatch_seed_live', 'qwen-max'), ...lines(liveId, 5, liveAt, 'queued', null, 'deepseek-flash').map((job, i) => ({ ...job, id: `${liveId}_own_${i}`, line_no: 10 + i, custom_id: `own-${i}` }))],
  );
  batches.push(liveId);

  // Captured inferences and their feedback: shadow verdicts (quality kept) and the scenarios' quality metrics.
  const inferences: InferenceRow[] = [];
  for (const row of rows) {
    if (row.status !== 200 || row.tier !== 'light' || row.priority === 'deferrable' || (row.scenario !== 'essay-grading' && row.scenario !== 'support') || next() > 0.5) continue;
    inferences.push({
      id: row.id, episodeId: `ep_${row.id}`, createdAt: row.createdAt, expiresAt: now + 30 * DAY, apiKeyId: row.apiKeyId, scenario: row.scenario,
      modelRequested: row.modelRequested, modelServed: row.modelServed, provider: row.provider, tier: row.tier, stream: row.stream, finishReason: 'stop',
      input: { messages: [{ role: 'user', content: `question ${row.id}` }], params: {}, images: 0, tools: 0 } as never, output: 'answer',
      promptHash: sha(row.id), inputTokens: row.usage.inputUncached + row.usage.cacheRead + row.usage.cacheWrite, outputTokens: row.usage.output,
      costNanoCny: row.costNanoCny, configHash: row.configHash,
    });
  }
  await insertInferences(database, inferences);
  let shadowVerdicts = 0;
  for (const inference of inferences) {
    const at = Math.min(inference.createdAt + HOUR, now - 1_000);
    const feedback = (metric: string, kind: 'boolean' | 'float', value: number) =>
      insertFeedback(database, {
        id: `fb_${metric}_${inference.id}`, target_type: 'inference', target_id: inference.id, metric, kind, value_number: value, value_text: null,
        api_key_id: metric === SHADOW_VERDICT_METRIC ? null : inference.apiKeyId, created_at: at, expires_at: now + 30 * DAY,
        dedupe_key: `seed:${metric}:${inference.id}`, payload_hash: sha(`${metric}:${value}`),
      });
    if (next() < 0.6) {
      const roll = next();
      await feedback(SHADOW_VERDICT_METRIC, 'float', roll < 0.55 ? 0 : roll < 0.85 ? 0.25 : -0.5);
      shadowVerdicts += 1;
    }
    if (inference.scenario === 'support' && next() < 0.7) await feedback('helpful', 'boolean', next() < 0.88 ? 1 : 0);
    if (inference.scenario === 'essay-grading' && next() < 0.7) await feedback('grade_error', 'float', Math.round((1 + next() * 6) * 10) / 10);
  }

  await revokeApiKey(database, old.id, now - DAY);
  old.revoked = true;
  await new RollupJob(database).run(now);

  const holds: SeedHold[] = [
    { keyId: essay.id, team: 'edu', nano: 800_000_000 },
    { keyId: support.id, team: 'cs', nano: 250_000_000 },
    { keyId: support.id, team: 'cs', nano: 120_000_000 },
  ];
  return {
    now,
    from,
    to: now,
    keys,
    teams: ['cs', 'edu'],
    requests: rows.length,
    totals: {
      costNano: rows.reduce((sum, row) => sum + row.costNanoCny, 0),
      flagshipCostNano: rows.reduce((sum, row) => sum + row.flagshipCostNanoCny, 0),
      errors: rows.filter((row) => row.status >= 400).length,
    },
    sample: sample as SeedSummary['sample'],
    batches,
    inferences: inferences.length,
    shadowVerdicts,
    holds,
  };
}

/** Places the seeded budget holds on a running gateway's guard (they stay held until the process ends). */
export async function placeSeedHolds(guard: BudgetEnforcer, holds: readonly SeedHold[]): Promise<Reservation[]> {
  // The guard holds only in scopes with a limit; one that can never be reached keeps the hold from being refused.
  const scope = (id: string, label: string) => ({ id, label, dailyNano: null, monthlyNano: Number.MAX_SAFE_INTEGER, rpm: null });
  const held: Reservation[] = [];
  for (const hold of holds) {
    held.push(await guard.reserve([scope(`key:${hold.keyId}`, `Key ${hold.keyId}`), ...(hold.team ? [scope(`team:${hold.team}`, `Team ${hold.team}`)] : [])], hold.nano));
  }
  return held;
}
