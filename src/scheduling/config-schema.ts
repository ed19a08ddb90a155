import { z } from 'zod';
import { PRIORITY_CLASSES } from './priority.js';

/*
 * Config schemas for scheduling, kept apart from config/schema.ts (which imports them) so the scheduling
 * keys live with the code that reads them. Numbers may arrive as strings from ${VAR} interpolation.
 */
const numeric = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => numeric(z.number().int().min(min).max(max)).optional();

/** `models[].limits`: what the provider allows this model (its published limits, or your account's tier). */
export const modelLimitsSchema = z.strictObject({
  concurrency: int(1),
  tokensPerMinute: int(1),
});

/**
 * `models[].batch` and `providers[].batch`: where /v1/batches lines for this model run. `gateway`: Tidegate
 * runs each line (off-peak windows, valleys); `provider`: forwarded to the provider's batch API (about half
 * price, its own completion window); `auto`: forwarded when the provider has a batch API that is cheaper and
 * the batch's completion window is at least the provider's, else run by Tidegate.
 */
export const BATCH_MODES = ['provider', 'gateway', 'auto'] as const;
export type BatchMode = (typeof BATCH_MODES)[number];
export const batchForwardSchema = z.strictObject({ mode: z.enum(BATCH_MODES).optional() });
export const batchForwardKeys = Object.keys(batchForwardSchema.shape);

/** `scenarios.<name>`: the default class and deadline of requests sent with x-tidegate-scenario: <name>. */
export const scenarioDefaultsSchema = z.strictObject({
  priority: z.enum(PRIORITY_CLASSES).optional(),
  deadlineHours: numeric(z.number().positive().max(24 * 14)).optional(),
});

export const scenariosSchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a scenario name (letters, digits, ".", "_", "-")' }),
  scenarioDefaultsSchema,
);

/** `scheduling:` admission queues and the deferred-work runner. */
export const schedulingSchema = z.strictObject({
  /** Waiting requests per model and class before 429 queue_full. */
  queueDepth: int(0),
  /** Longest wait in the queue per class before 429 queue_timeout. */
  interactiveMaxWaitMs: int(0),
  standardMaxWaitMs: int(0),
  /** Once standard's oldest waiter is this old, standard gets one slot in four while interactive also waits (no starvation). */
  agingMs: int(0),
  /** Share of a model's slots kept for interactive requests (rounded down; standard always keeps one). */
  interactiveReserve: numeric(z.number().min(0).max(1)).optional(),
  /** Share of a model's concurrency that deferrable work may fill while interactive load is low (0–1). */
  valleyUtilisation: numeric(z.number().gt(0).max(1)).optional(),
  /** Default deadline of deferrable work when neither the header nor the scenario sets one. */
  defaultDeadlineHours: numeric(z.number().positive().max(24 * 14)).optional(),
  /** Default concurrency for models without limits (and no published default). */
  defaultConcurrency: int(1),
  /** How often the deferred-work runner looks for due jobs. */
  pollIntervalMs: int(10),
  /** Concurrent deferred jobs the runner executes at most. */
  runnerConcurrency: int(1, 1000),
  /** How often batches forwarded to a provider's batch API are polled (ms). */
  providerBatchPollMs: int(10),
});

export const schedulingKeys = Object.keys(schedulingSchema.shape);
export const modelLimitsKeys = Object.keys(modelLimitsSchema.shape);
export const scenarioDefaultsKeys = Object.keys(scenarioDefaultsSchema.shape);

/** The scheduling section with every default applied (what GatewayConfig.scheduling holds). */
export interface SchedulingConfig {
  readonly queueDepth: number;
  readonly interactiveMaxWaitMs: number;
  readonly standardMaxWaitMs: number;
  readonly agingMs: number;
  readonly interactiveReserve: number;
  readonly valleyUtilisation: number;
  readonly defaultDeadlineHours: number;
  readonly defaultConcurrency: number;
  readonly pollIntervalMs: number;
  readonly runnerConcurrency: number;
  readonly providerBatchPollMs: number;
}

export function schedulingDefaults(entry: z.output<typeof schedulingSchema> | undefined): SchedulingConfig {
  return {
    queueDepth: 256,
    interactiveMaxWaitMs: 10_000,
    standardMaxWaitMs: 30_000,
    agingMs: 2_000,
    interactiveReserve: 0.125,
    valleyUtilisation: 0.5,
    defaultDeadlineHours: 24,
    defaultConcurrency: 32,
    pollIntervalMs: 1_000,
    runnerConcurrency: 8,
    providerBatchPollMs: 60_000,
    ...entry,
  };
}
