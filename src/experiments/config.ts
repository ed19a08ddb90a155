import { z } from 'zod';
import type { CaptureConfig, MetricConfig } from '../flywheel/config-schema.js';
import type { ThresholdKind } from './track-and-stop.js';

/*
 * `experiments:` adaptive comparisons of models or router versions on live traffic (track-and-stop). Parsed with
 * the rest of the config in config/load.ts, cross-checked against models, routes, scenarios and metrics, then frozen.
 */

const numeric = (schema: z.ZodNumber) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { error: 'must be a name (letters, digits, ".", "_", "-"; no "/")' });

export const experimentArmSchema = z.strictObject({
  name,
  /** Serve the arm's requests with this model (models[].id), then its fallbacks. */
  model: z.string().min(1).optional(),
  /** Or route them with this learned-router artifact (a file written by `tidegate router train`); needs `route:`. */
  router: z.string().min(1).optional(),
});

export const experimentSchema = z.strictObject({
  name,
  /** Requests with this x-tidegate-scenario take part; with `route` too, both must match. */
  scenario: z.string().min(1).optional(),
  /** Requests naming this route or model (what clients send as "model") take part. */
  route: z.string().min(1).optional(),
  arms: z.array(experimentArmSchema).min(2).max(8),
  /** A boolean or float metric from metrics:, sent with POST /v1/feedback; default: the scenario's quality metric. */
  metric: z.string().min(1).optional(),
  /** Float metrics: the range mapped onto rewards 0 … 1 (values outside are clipped). */
  range: z.tuple([numeric(z.number()), numeric(z.number())]).optional(),
  goal: z.enum(['best-arm']).optional(),
  /** 1 − the chance of naming a worse arm; default 0.95. */
  confidence: numeric(z.number().gt(0.5).lt(1)).optional(),
  /** Outcomes per arm before the allocation adapts (default 20). */
  minSamplesPerArm: numeric(z.number().int().min(1).max(100_000)).optional(),
  /** No arm gets more than this share of traffic while the experiment runs (default 1). */
  maxSharePerArm: numeric(z.number().gt(0).max(1)).optional(),
  /** Stop undecided after this many outcomes in all; the incumbent keeps the traffic (default: never). */
  maxSamples: numeric(z.number().int().min(2)).optional(),
  /** proven: ln(2t(K−1)/δ), the error bound holds (default); practical: ln((1 + ln t)/δ), stops sooner. */
  threshold: z.enum(['proven', 'practical']).optional(),
  /** The arm in use before the experiment (default the first): it keeps the traffic unless another arm wins. */
  incumbent: z.string().min(1).optional(),
  /** Seed of the arm draws (default 1): the same seed and ids give the same assignments. */
  seed: numeric(z.number().int().min(0)).optional(),
});

export const experimentsSchema = z.array(experimentSchema);
export const experimentKeys = Object.keys(experimentSchema.shape);
export const experimentArmKeys = Object.keys(experimentArmSchema.shape);

export interface ExperimentArmConfig {
  readonly name: string;
  readonly model: string | undefined;
  readonly router: string | undefined;
}

export interface ExperimentConfig {
  readonly name: string;
  readonly scenario: string | undefined;
  readonly route: string | undefined;
  readonly arms: readonly ExperimentArmConfig[];
  readonly metric: string;
  readonly level: 'inference' | 'episode';
  readonly optimize: 'max' | 'min';
  /** Float metrics only: [low, high] mapped onto 0 … 1. */
  readonly range: readonly [number, number] | undefined;
  readonly goal: 'best-arm';
  readonly confidence: number;
  readonly minSamplesPerArm: number;
  readonly maxSharePerArm: number;
  readonly maxSamples: number | undefined;
  readonly threshold: ThresholdKind;
  /** Index into arms. */
  readonly incumbent: number;
  readonly seed: number;
}

type Problem = { path: Array<string | number>; message: string };

export interface ExperimentNames {
  readonly models: ReadonlySet<string>;
  readonly routes: ReadonlySet<string>;
  readonly scenarios: ReadonlySet<string>;
  readonly metrics: Readonly<Record<string, MetricConfig>>;
  /** The quality metric of each scenario that declares one. */
  readonly scenarioMetrics: Readonly<Record<string, string>>;
  /** Feedback is accepted only for captured calls, so an experiment's traffic must be opted in to capture. */
  readonly capture: Pick<CaptureConfig, 'all' | 'routes' | 'scenarios' | 'keys'>;
}

/** The experiments with defaults, plus cross-reference problems (path, message) for the config loader. */
export function buildExperimentsConfig(entries: z.output<typeof experimentsSchema> | undefined, names: ExperimentNames): { config: ExperimentConfig[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const config: ExperimentConfig[] = [];
  const seen = new Set<string>();
  (entries ?? []).forEach((entry, index) => {
    const at = (...path: Array<string | number>) => ['experiments', index, ...path];
    const report = (path: Array<string | number>, message: string) => problems.push({ path, message });
    if (seen.has(entry.name)) report(at('name'), `experiment ${JSON.stringify(entry.name)} is declared twice`);
    seen.add(entry.name);
    if (entry.scenario === undefined && entry.route === undefined) report(at(), 'an experiment needs scenario: or route: (which requests take part)');
    if (entry.scenario !== undefined && !names.scenarios.has(entry.scenario)) report(at('scenario'), `unknown scenario ${JSON.stringify(entry.scenario)} (declare it under scenarios:)`);
    if (entry.route !== undefined && !names.routes.has(entry.route) && !names.models.has(entry.route)) report(at('route'), `unknown route or model ${JSON.stringify(entry.route)}`);
    const armNames = new Set<string>();
    entry.arms.forEach((arm, armIndex) => {
      if (armNames.has(arm.name)) report(at('arms', armIndex, 'name'), `arm ${JSON.stringify(arm.name)} is listed twice`);
      armNames.add(arm.name);
      if ((arm.model === undefined) === (arm.router === undefined)) report(at('arms', armIndex), 'an arm needs exactly one of model: (a models[].id) or router: (a router artifact file)');
      if (arm.model !== undefined && !names.models.has(arm.model)) report(at('arms', armIndex, 'model'), `unknown model ${JSON.stringify(arm.model)} (models[].id)`);
      if (arm.router !== undefined && (entry.route === undefined || !names.routes.has(entry.route))) report(at('arms', armIndex, 'router'), 'a router arm needs the experiment on a route (route: auto, say): the router picks the route\'s tier');
    });
    const { capture } = names;
    const captured = capture.all || Object.keys(capture.keys).length > 0 || (entry.scenario !== undefined && entry.scenario in capture.scenarios) || (entry.route !== undefined && entry.route in capture.routes);
    if (!captured) report(at(), `its calls must be captured for feedback to reach it: add ${entry.scenario !== undefined ? `${JSON.stringify(entry.scenario)} to capture.scenarios` : `${JSON.stringify(entry.route)} to capture.routes`}`);
    const metricName = entry.metric ?? (entry.scenario !== undefined ? names.scenarioMetrics[entry.scenario] : undefined);
    const metric = metricName === undefined ? undefined : names.metrics[metricName];
    if (metricName === undefined) report(at('metric'), 'is required (a boolean or float metric from metrics:) unless the scenario has a quality metric');
    else if (metric === undefined || (metric.type !== 'boolean' && metric.type !== 'float')) report(at('metric'), `unknown metric ${JSON.stringify(metricName)}: declare it under metrics: (type boolean or float)`);
    if (metric?.type === 'float' && entry.range === undefined) report(at('range'), `metric ${JSON.stringify(metricName)} is a float: give range: [low, high] so rewards map onto 0 … 1`);
    if (entry.range !== undefined && !(entry.range[0] < entry.range[1])) report(at('range'), 'must be [low, high] with low < high');
    const maxShare = entry.maxSharePerArm ?? 1;
    if (maxShare * entry.arms.length < 1) report(at('maxSharePerArm'), `is too small for ${entry.arms.length} arms: the shares cannot add up to 1 (at least ${(1 / entry.arms.length).toFixed(3)})`);
    const incumbent = entry.incumbent === undefined ? 0 : entry.arms.findIndex((arm) => arm.name === entry.incumbent);
    if (incumbent < 0) report(at('incumbent'), `unknown arm ${JSON.stringify(entry.incumbent)}; arms: ${entry.arms.map((arm) => arm.name).join(', ')}`);
    config.push({
      name: entry.name,
      scenario: entry.scenario,
      route: entry.route,
      arms: entry.arms.map((arm) => ({ name: arm.name, model: arm.model, router: arm.router })),
      metric: metricName ?? '',
      level: metric?.level ?? 'inference',
      optimize: metric?.optimize ?? 'max',
      range: entry.range,
      goal: 'best-arm',
      confidence: entry.confidence ?? 0.95,
      minSamplesPerArm: entry.minSamplesPerArm ?? 20,
      maxSharePerArm: maxShare,
      maxSamples: entry.maxSamples,
      threshold: entry.threshold ?? 'proven',
      incumbent: Math.max(incumbent, 0),
      seed: entry.seed ?? 1,
    });
  });
  return { config, problems };
}

/** A feedback value as a reward in [0, 1] (1 best), or undefined when it cannot be one. */
export function rewardOf(experiment: ExperimentConfig, value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  let reward = value;
  if (experiment.range) {
    const [low, high] = experiment.range;
    reward = (Math.min(Math.max(value, low), high) - low) / (high - low);
  } else if (value !== 0 && value !== 1) {
    return undefined;
  }
  return experiment.optimize === 'min' ? 1 - reward : reward;
}
