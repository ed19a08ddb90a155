import { z } from 'zod';
import { scenarioDefaultsSchema } from '../scheduling/config-schema.js';
import type { LlmJudgeSpec } from '../evaluation/spec.js';
import { evaluatorSchema, type EvaluatorConfig } from './evaluator-config.js';

/*
 * Config for learning from traffic: `capture:` (what content is kept and for how long), `metrics:` (the
 * feedback a client may send) and `scenarios.<name>.quality` (a scenario's quality bar). Parsed with the
 * rest of the config in config/load.ts, then frozen.
 */

const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const days = numeric(z.number().positive().max(3650)).optional();
const int = (min: number) => numeric(z.number().int().min(min)).optional();

/** Reserved metric names, always available: free text and the ideal answer (TensorZero's model). */
export const BUILTIN_METRICS = ['comment', 'demonstration'] as const;
const metricName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a metric name (a letter, then letters, digits, ".", "_", "-")' })
  .refine((name) => !(BUILTIN_METRICS as readonly string[]).includes(name), { error: 'is a built-in metric; "comment" and "demonstration" need no declaration' });

/** `metrics.<name>`: a boolean (thumbs) or float (score) metric, which direction is better, and what it scores. */
export const metricSchema = z.strictObject({
  type: z.enum(['boolean', 'float']),
  optimize: z.enum(['max', 'min']),
  level: z.enum(['inference', 'episode']).optional(),
});
export const metricsSchema = z.record(metricName, metricSchema);

/** A list of names, or names with their own content retention. */
const optInSchema = z.union([
  z.array(z.string().min(1)),
  z.record(z.string().min(1), z.strictObject({ retentionDays: days }).nullable()),
]);

/** `capture:` request and response content, kept only where a route, scenario or key opts in. */
export const captureSchema = z.strictObject({
  /** Capture every chat call (default false: only the opted-in routes, scenarios and keys). */
  all: z.boolean().optional(),
  /** The names clients send as `model` (route or model ids). */
  routes: optInSchema.optional(),
  /** x-tidegate-scenario values. */
  scenarios: optInSchema.optional(),
  /** API key ids (`tidegate keys list`). */
  keys: optInSchema.optional(),
  /** How long captured content (prompts, answers, comments, demonstrations) is kept; default 30 days. */
  retentionDays: days,
  /** How long request-log metadata is kept; default 180 days. */
  metadataRetentionDays: days,
  /** How often expired rows are deleted; default 60 minutes. */
  sweepMinutes: numeric(z.number().int().min(1).max(10_080)).optional(),
  batchSize: int(1),
  flushIntervalMs: int(1),
  queueLimit: int(1),
  /** Shadowing: a share of captured light-model calls is also answered by the flagship (deferrable) and judged. */
  shadow: z
    .strictObject({
      share: numeric(z.number().min(0).max(1)),
      /** An llm_judge evaluator spec: scores the light and the flagship answer on the same prompt. */
      judge: evaluatorSchema,
      /** The model that shadows (default: the route's first flagship, else the first model of tier flagship). */
      flagship: z.string().min(1).optional(),
      /** Deadline of the shadow job (default 24 hours): it runs in the cheapest window before it. */
      deadlineHours: numeric(z.number().positive().max(720)).optional(),
      /** How often finished shadow jobs are judged; default 60 seconds. */
      judgeIntervalSeconds: numeric(z.number().int().min(1).max(86_400)).optional(),
    })
    .optional(),
});

/** `scenarios.<name>.quality`: the metric that measures the scenario and the value it must reach. */
export const scenarioQualitySchema = z.strictObject({
  metric: z.string().min(1),
  /** For optimize: max, the mean must be at least this; for min, at most this. */
  target: numeric(z.number()),
  evaluator: evaluatorSchema.optional(),
});

/** `scenarios:` with the scheduling defaults (priority, deadlineHours) and a quality bar. */
export const scenariosWithQualitySchema = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a scenario name (letters, digits, ".", "_", "-")' }),
  scenarioDefaultsSchema.extend({ quality: scenarioQualitySchema.optional() }),
);

export const captureKeys = Object.keys(captureSchema.shape);
export const metricKeys = Object.keys(metricSchema.shape);
export const scenarioQualityKeys = Object.keys(scenarioQualitySchema.shape);

export interface MetricConfig {
  readonly type: 'boolean' | 'float' | 'comment' | 'demonstration';
  readonly optimize: 'max' | 'min';
  readonly level: 'inference' | 'episode';
}

export interface ScenarioQuality {
  readonly metric: string;
  readonly target: number;
  readonly evaluator: EvaluatorConfig | undefined;
}

export interface ShadowConfig {
  readonly share: number;
  readonly judge: LlmJudgeSpec;
  readonly flagship: string | undefined;
  readonly deadlineHours: number;
  readonly judgeIntervalMs: number;
}

export interface CaptureConfig {
  readonly all: boolean;
  /** Content retention in ms, by route/model name, scenario and key id (opt-ins). */
  readonly routes: Readonly<Record<string, number>>;
  readonly scenarios: Readonly<Record<string, number>>;
  readonly keys: Readonly<Record<string, number>>;
  readonly retentionMs: number;
  readonly metadataRetentionMs: number;
  readonly sweepMs: number;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly queueLimit: number;
  /** Shadowing of light-model calls by the flagship (capture.shadow); undefined when off. */
  readonly shadow: ShadowConfig | undefined;
}

/** What GatewayConfig.flywheel holds: capture, metrics (declared and built-in) and scenario quality bars. */
export interface FlywheelConfig {
  readonly capture: CaptureConfig;
  readonly metrics: Readonly<Record<string, MetricConfig>>;
  readonly quality: Readonly<Record<string, ScenarioQuality>>;
}

const DAY_MS = 86_400_000;
type CaptureEntry = z.output<typeof captureSchema>;
type OptIn = z.output<typeof optInSchema>;

function optIns(entry: OptIn | undefined, defaultMs: number): Record<string, number> {
  if (entry === undefined) return {};
  if (Array.isArray(entry)) return Object.fromEntries(entry.map((name) => [name, defaultMs]));
  return Object.fromEntries(Object.entries(entry).map(([name, value]) => [name, value?.retentionDays === undefined ? defaultMs : value.retentionDays * DAY_MS]));
}

export interface FlywheelFile {
  readonly capture?: CaptureEntry;
  readonly metrics?: z.output<typeof metricsSchema>;
  readonly scenarios?: Readonly<Record<string, { readonly quality?: z.output<typeof scenarioQualitySchema> }>>;
}

/** The flywheel section with defaults, plus cross-reference problems (path, message) for the config loader. */
export function buildFlywheelConfig(file: FlywheelFile, names: { routes: ReadonlySet<string>; models?: ReadonlySet<string> }): { config: FlywheelConfig; problems: Array<{ path: Array<string | number>; message: string }> } {
  const problems: Array<{ path: Array<string | number>; message: string }> = [];
  const capture = file.capture ?? {};
  const retentionMs = (capture.retentionDays ?? 30) * DAY_MS;
  const metrics: Record<string, MetricConfig> = {
    comment: { type: 'comment', optimize: 'max', level: 'inference' },
    demonstration: { type: 'demonstration', optimize: 'max', level: 'inference' },
  };
  for (const [name, metric] of Object.entries(file.metrics ?? {})) metrics[name] = { type: metric.type, optimize: metric.optimize, level: metric.level ?? 'inference' };
  const quality: Record<string, ScenarioQuality> = {};
  for (const [scenario, entry] of Object.entries(file.scenarios ?? {})) {
    if (!entry.quality) continue;
    const metric = metrics[entry.quality.metric];
    if (metric === undefined || metric.type === 'comment' || metric.type === 'demonstration') {
      const declared = Object.keys(file.metrics ?? {});
      problems.push({
        path: ['scenarios', scenario, 'quality', 'metric'],
        message: `unknown metric ${JSON.stringify(entry.quality.metric)}: declare it under metrics: (type boolean or float)${declared.length > 0 ? `; declared: ${declared.join(', ')}` : ''}`,
      });
    }
    quality[scenario] = { metric: entry.quality.metric, target: entry.quality.target, evaluator: entry.quality.evaluator };
  }
  const routes = optIns(capture.routes, retentionMs);
  for (const name of Object.keys(routes)) {
    if (!names.routes.has(name)) problems.push({ path: ['capture', 'routes'], message: `unknown route or model ${JSON.stringify(name)} (capture.routes names what clients send as "model")` });
  }
  let shadow: ShadowConfig | undefined;
  if (capture.shadow) {
    const { judge } = capture.shadow;
    if (judge.kind !== 'llm_judge') problems.push({ path: ['capture', 'shadow', 'judge', 'kind'], message: `the shadow judge compares two answers: kind llm_judge, got ${JSON.stringify(judge.kind)}` });
    const flagship = capture.shadow.flagship;
    if (flagship !== undefined && !(names.models ?? names.routes).has(flagship)) problems.push({ path: ['capture', 'shadow', 'flagship'], message: `unknown model ${JSON.stringify(flagship)} (models[].id)` });
    if (judge.kind === 'llm_judge') {
      shadow = { share: capture.shadow.share, judge, flagship, deadlineHours: capture.shadow.deadlineHours ?? 24, judgeIntervalMs: (capture.shadow.judgeIntervalSeconds ?? 60) * 1000 };
    }
  }
  return {
    config: {
      capture: {
        shadow,
        all: capture.all ?? false,
        routes,
        scenarios: optIns(capture.scenarios, retentionMs),
        keys: optIns(capture.keys, retentionMs),
        retentionMs,
        metadataRetentionMs: (capture.metadataRetentionDays ?? 180) * DAY_MS,
        sweepMs: (capture.sweepMinutes ?? 60) * 60_000,
        batchSize: capture.batchSize ?? 200,
        flushIntervalMs: capture.flushIntervalMs ?? 100,
        queueLimit: capture.queueLimit ?? 10_000,
      },
      metrics,
      quality,
    },
    problems,
  };
}
