import { createHash, randomBytes } from 'node:crypto';
import type { ChatResponse } from '../canonical/chat.js';
import { validateChatRequest } from '../api/validate-chat.js';
import type { ChatAnswer, ChatClient, ChatRequest as JudgeRequest } from '../evaluation/chat-client.js';
import { llmJudge } from '../evaluation/evaluators/llm-judge.js';
import type { LlmJudgeSpec } from '../evaluation/spec.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Principal } from '../http/auth.js';
import type { Logger } from '../logging/logger.js';
import { runChat, type ChatSink } from '../pipeline/chat-pipeline.js';
import { uuidv7 } from '../pipeline/ids.js';
import { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import type { PrivacyEngine } from '../privacy/index.js';
import { planWindow } from '../scheduling/window-planner.js';
import { insertJobs, type Database, type JobRow } from '../storage/index.js';
import type { CaptureRecord } from './capture-writer.js';
import { toInferenceRow } from './capture-writer.js';
import { maskForStorage } from './captured-content.js';
import type { ShadowConfig } from './config-schema.js';
import { insertFeedback } from './feedback-store.js';
import { inferencesById, insertInferences, type InferenceRow } from './inference-store.js';
import { SHADOW_VERDICT_METRIC } from './router-labels.js';
import { flywheelDb } from './tables.js';

/**
 * Shadowing (distillation): a sampled share of captured calls answered by a light model is asked again of the
 * route's flagship, as deferrable work. The job carries the captured (masked) prompt, so no personal data is
 * stored that capture did not already keep; it runs in the model's cheapest window through the job runner,
 * under the caller's key (its budgets apply), and never holds up the client. Once it has run, the judge (an
 * llm_judge spec) scores both answers on the same prompt; the light score minus the flagship score is stored as
 * `shadow_verdict` feedback on the light inference (a number in [-1, 1]; `dataset labels` turns it into a
 * router label), and the flagship answer is stored as a captured flagship inference (the teacher answer that
 * `dataset build --curate flagship` picks up), with the light inference's episode and content retention.
 */

/** custom_id of a shadow job: the light inference it shadows. */
const PREFIX = 'shadow:';
const MAX_TRIES = 3;
/** Jobs judged per pass at most (each takes two judge calls); the rest wait for the next pass. */
const PER_PASS = 100;

/** Collects a non-streamed answer instead of writing HTTP. */
function collectingSink(): ChatSink & { response?: ChatResponse } {
  const sink: ChatSink & { response?: ChatResponse } = {
    json(response) {
      sink.response = response;
    },
    open: () => undefined,
    event: () => undefined,
    close: () => undefined,
    failMidStream: () => undefined,
  };
  return sink;
}

function answerText(response: ChatResponse | null | undefined): { text: string; finish: string | null } {
  const choice = (response as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: string | null }> } | null | undefined)?.choices?.[0];
  const content = choice?.message?.content;
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => (typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('') : '';
  return { text, finish: choice?.finish_reason ?? null };
}

export class Shadowing {
  #services: Services | undefined;
  /** Calls the shadowing makes itself (the judge): never captured, never shadowed. */
  readonly internal = new WeakSet<RequestContext>();
  readonly #pending = new Set<Promise<void>>();
  readonly #done = new Set<string>();
  readonly #tries = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<number> | undefined;
  /** Shadow jobs that finished before this are judged (or given up on). */
  #watermark: number | undefined;

  constructor(
    private readonly database: Database,
    private readonly config: ShadowConfig,
    private readonly engine: PrivacyEngine,
    private readonly logger: Logger,
    private readonly flush: () => Promise<void>,
    /** Content retention: a shadow job older than the light answer it compares with has nothing left to judge. */
    private readonly retentionMs: number,
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  /** Called once the services exist; judges finished shadow jobs every `pollMs`. */
  /** `leading`: judge only while this node leads shadow judging (one node of a cluster; src/cluster/job-leases.ts). */
  attach(services: Services, pollMs: number, leading: () => boolean = () => true): void {
    this.#services = services;
    this.#timer = setInterval(() => {
      if (leading()) void this.tick().catch((error: unknown) => this.logger.warn('shadow judging failed', { error: String(error) }));
    }, pollMs);
    this.#timer.unref();
  }

  /** After a captured call: maybe queue its flagship shadow. Never awaited by the request. */
  sample(record: CaptureRecord): void {
    const services = this.#services;
    if (!services || record.tier !== 'light' || record.draft.toolCalls.length > 0) return;
    if (!(this.random() < this.config.share)) return;
    const job = this.#enqueue(services, record).catch((error: unknown) => this.logger.warn('shadow job not queued', { inference: record.id, error: String(error) }));
    this.#pending.add(job);
    void job.finally(() => this.#pending.delete(job));
  }

  /** The flagship that shadows a call to `requested` served by a light model. */
  flagshipFor(services: Services, requested: string): string | undefined {
    if (this.config.flagship !== undefined) return this.config.flagship;
    const route = services.routing.routes.get(requested);
    if (route?.flagship[0] !== undefined) return route.flagship[0];
    return services.config.models.find((model) => model.tier === 'flagship')?.id;
  }

  async #enqueue(services: Services, record: CaptureRecord): Promise<void> {
    const flagship = this.flagshipFor(services, record.modelRequested);
    if (flagship === undefined) return;
    const row = toInferenceRow(this.engine, record);
    if (row.input.images > 0 || row.input.tools > 0) return; // the stored prompt is not the whole question
    const now = this.now();
    const deadlineAt = now + this.config.deadlineHours * 3_600_000;
    const plan = planWindow(services.models.get(flagship), now, deadlineAt, services.scheduler?.serviceMs(flagship) ?? 30_000);
    const body = { model: flagship, messages: row.input.messages, ...row.input.params, stream: false };
    await insertJobs(this.database, [{
      id: `job_${randomBytes(12).toString('hex')}`, batch_id: null, custom_id: `${PREFIX}${record.id}`, line_no: null, api_key_id: record.apiKeyId, scenario: record.scenario,
      model: flagship, body: JSON.stringify(body), status: 'queued', created_at: now, not_before: plan.startAt, deadline_at: deadlineAt, plan: `shadow of ${record.id}: ${plan.reason}`,
    }]);
  }

  /** Resolves when every sampled call's job is queued (tests). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Judges the shadow jobs that have run and have no verdict yet; returns how many verdicts were stored. */
  tick(): Promise<number> {
    this.#ticking ??= this.#pass().finally(() => {
      this.#ticking = undefined;
    });
    return this.#ticking;
  }

  async #pass(): Promise<number> {
    const services = this.#services;
    if (!services) return 0;
    // Only jobs that finished since the oldest one still waiting for a verdict (at first: within the retention).
    this.#watermark ??= this.now() - this.retentionMs;
    const finished = await this.database.db.selectFrom('jobs').select(['id', 'finished_at']).where('custom_id', 'like', `${PREFIX}%`).where('batch_id', 'is', null)
      .where('status', '=', 'succeeded').where('finished_at', '>=', this.#watermark).execute();
    const open = finished.filter((job) => !this.#done.has(job.id));
    if (open.length === 0) {
      this.#advance(finished);
      return 0;
    }
    const jobs = await this.database.db.selectFrom('jobs').selectAll().where('id', 'in', open.slice(0, PER_PASS).map((job) => job.id)).orderBy('finished_at').execute();
    const keys = new Map(jobs.map((job) => [dedupeKey(job.id), job.id]));
    const judged = await flywheelDb(this.database).selectFrom('feedback').select('dedupe_key').where('dedupe_key', 'in', [...keys.keys()]).execute();
    for (const row of judged) this.#done.add(keys.get(row.dedupe_key)!);
    await this.flush(); // the light inference may still be in the capture writer's queue
    let stored = 0;
    for (const job of jobs) {
      if (this.#done.has(job.id)) continue;
      try {
        if (await this.#judge(services, job)) stored += 1;
        this.#done.add(job.id);
      } catch (error) {
        const tries = (this.#tries.get(job.id) ?? 0) + 1;
        this.#tries.set(job.id, tries);
        if (tries >= MAX_TRIES) this.#done.add(job.id);
        this.logger.warn('shadow verdict failed', { job: job.id, tries, error: String(error) });
      }
    }
    this.#advance(finished);
    return stored;
  }

  /** Moves the watermark up to the oldest job still waiting, and forgets the judged jobs below it. */
  #advance(finished: ReadonlyArray<{ id: string; finished_at: number | null }>): void {
    const waiting = finished.filter((job) => !this.#done.has(job.id)).map((job) => Number(job.finished_at));
    const top = waiting.length > 0 ? Math.min(...waiting) : Math.max(this.#watermark ?? 0, ...finished.map((job) => Number(job.finished_at)));
    if (top <= (this.#watermark ?? 0)) return;
    this.#watermark = top;
    for (const job of finished) if (Number(job.finished_at) < top) { this.#done.delete(job.id); this.#tries.delete(job.id); }
  }

  async #judge(services: Services, job: JobRow): Promise<boolean> {
    const now = this.now();
    const inferenceId = job.custom_id!.slice(PREFIX.length);
    const [light] = await inferencesById(this.database, [inferenceId], now);
    if (!light) return false; // expired or purged: nothing to compare with
    const { text, finish } = answerText(JSON.parse(job.result ?? 'null') as ChatResponse | null);
    const teacher = maskForStorage(this.engine, text);
    if (teacher.trim() === '') return false; // no answer to compare (e.g. only tool calls)
    const judge = llmJudge(this.config.judge, this.#client(services, job.api_key_id));
    const prompt = light.input.messages.map((message) => ({ role: message.role, content: message.content }));
    const lightScore = await judge.evaluate({ prompt, answer: light.output, reference: undefined });
    const flagshipScore = await judge.evaluate({ prompt, answer: teacher, reference: undefined });
    const teacherId = job.request_id ?? uuidv7(now);
    const served = services.models.get(job.model);
    const row: InferenceRow = {
      ...light, id: teacherId, createdAt: Number(job.finished_at ?? now), modelRequested: job.model, modelServed: job.model, provider: served?.provider ?? null, tier: 'flagship',
      stream: false, finishReason: finish, output: teacher, inputTokens: Number(job.input_tokens), outputTokens: Number(job.output_tokens), costNanoCny: Number(job.cost_nano_cny),
    };
    await insertInferences(this.database, [row]);
    const verdict = Math.round((lightScore.score - flagshipScore.score) * 1e4) / 1e4;
    const valueText = `teacher ${teacherId}; judge: light ${lightScore.score.toFixed(3)}, flagship ${flagshipScore.score.toFixed(3)}`;
    const payloadHash = createHash('sha256').update(`${inferenceId}\u0000${verdict}\u0000${valueText}`).digest('hex');
    await insertFeedback(this.database, {
      id: uuidv7(now), target_type: 'inference', target_id: inferenceId, metric: SHADOW_VERDICT_METRIC, kind: 'float', value_number: verdict, value_text: valueText,
      api_key_id: null, created_at: now, expires_at: light.expiresAt, dedupe_key: dedupeKey(job.id), payload_hash: payloadHash,
    });
    // The answer now lives (masked) as the teacher inference, and expires with it; the job keeps a pointer only.
    await this.database.db.updateTable('jobs').set({ result: JSON.stringify({ object: 'shadow', inference_id: inferenceId, teacher_inference_id: teacherId }) }).where('id', '=', job.id).execute();
    return true;
  }

  /** The judge's calls: through the pipeline under the job's key (its budgets apply), billed in the request log. */
  #client(services: Services, keyId: string | null): ChatClient {
    return {
      complete: async (request: JudgeRequest): Promise<ChatAnswer> => {
        const startedAt = this.now();
        const context = new RequestContext('chat', keyId ?? undefined, undefined, { id: uuidv7(startedAt), startedAt });
        this.internal.add(context);
        context.principal = await principalOf(services, keyId);
        const sink = collectingSink();
        try {
          const { request: chat, needs } = validateChatRequest({ ...request, stream: false });
          await runChat(services, context, chat, needs, sink, new AbortController().signal);
        } catch (error) {
          context.status = error instanceof GatewayError ? error.status : 500;
          throw error;
        } finally {
          context.reservation?.settle(context.cost?.nanoCny ?? 0);
          await services.ledger.record(context);
        }
        return { content: answerText(sink.response).text, servedBy: context.served?.model.id, costCny: undefined, requestId: context.id, latencyMs: this.now() - startedAt };
      },
    };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}

const dedupeKey = (jobId: string) => createHash('sha256').update(`shadow\u0000${jobId}`).digest('hex');

async function principalOf(services: Services, keyId: string | null): Promise<Principal> {
  if (keyId === null) return { kind: 'open' };
  if (keyId === 'admin') return { kind: 'admin' };
  const key = (await services.keys.list()).find((candidate) => candidate.id === keyId && candidate.revokedAt === null);
  if (!key) throw new GatewayError('invalid_api_key', 'The API key this work was submitted with is revoked.');
  return { kind: 'key', keyId: key.id, name: key.name, limits: { team: key.team, dailyBudgetNano: key.dailyBudgetNano, monthlyBudgetNano: key.monthlyBudgetNano, rpm: key.rpm, maxPriority: key.maxPriority } };
}
