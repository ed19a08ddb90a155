import { stableStringify } from '../canonical/stable-json.js';
import { DEFAULT_SEMANTIC_THRESHOLD } from '../cache/semantic/index.js';
import { patternProblems } from './privacy.js';
import { buildAigcConfig } from '../aigc/config.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import type { PresetDefinition } from '../providers/preset.js';
import { getPreset, presetIds } from '../providers/registry.js';
import { ConfigError, formatPath, listNames, suggestion, type ConfigProblem, type PathSegment } from './config-error.js';
import { environmentConfigData } from './from-environment.js';
import { readYaml, type Environment, type SourcePositions } from './interpolate.js';
import { buildModel, buildProvider, configFileSchema, modelSchema, providerSchema, schemaProblems, valueAt, type ConfigFile, type ModelEntry, type ProviderEntry } from './schema.js';
import { resolveRoutes } from './routes.js';
import { schedulingDefaults } from '../scheduling/config-schema.js';
import { buildFlywheelConfig } from '../flywheel/config-schema.js';
import { buildExperimentsConfig } from '../experiments/config.js';
import { clusterDefaults } from '../cluster/config.js';
import { telemetryDefaults } from '../telemetry/config.js';
import type { GatewayConfig, ModelConfig, ProviderConfig } from './types.js';

export interface ConfigOverrides {
  port?: number;
  host?: string;
}

export interface LoadConfigOptions {
  /** Config file; when absent, `<cwd>/tidegate.yaml` if it exists, else the environment. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Applied after loading (`--port`, `--host`). */
  overrides?: ConfigOverrides;
}

export const DEFAULT_CONFIG_FILE = 'tidegate.yaml';

type Report = (path: PathSegment[], message: string) => void;
const kindName = (kind: string | undefined) => (kind === 'embedding' ? 'an embedding' : 'a chat');

const text = (raw: unknown, key: string): string | undefined => {
  const value = valueAt(raw, [key]);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** First index of each id; later ones are reported as duplicates. */
function uniqueIds(raw: unknown[], section: string, report: Report): Map<string, number> {
  const ids = new Map<string, number>();
  raw.forEach((entry, index) => {
    const id = text(entry, 'id');
    if (id === undefined) return;
    const first = ids.get(id);
    if (first !== undefined) report([section, index, 'id'], `duplicate ${section.slice(0, -1)} id ${JSON.stringify(id)} (first declared at ${section}[${first}])`);
    else ids.set(id, index);
  });
  return ids;
}

/**
 * Checks the cross-references (presets, providers, fallbacks, unique ids) on the raw entries, so an entry
 * with a schema problem still has its references checked, and builds the valid entries with every default.
 */
function resolveEntries(rawProviders: unknown[], rawModels: unknown[], providerEntries: (ProviderEntry | undefined)[], modelEntries: (ModelEntry | undefined)[], report: Report) {
  const providerIds = uniqueIds(rawProviders, 'providers', report);
  rawProviders.forEach((raw, index) => {
    const name = text(raw, 'preset');
    if (name !== undefined && !getPreset(name)) report(['providers', index, 'preset'], `unknown preset ${JSON.stringify(name)}${suggestion(name, presetIds())} (valid presets: ${presetIds().join(', ')})`);
  });
  const providers: ProviderConfig[] = [];
  const builtProviders = new Map<string, { config: ProviderConfig; preset: PresetDefinition }>();
  providerEntries.forEach((entry, index) => {
    const preset = entry && getPreset(entry.preset);
    if (!entry || !preset || providerIds.get(entry.id) !== index) return;
    const config = buildProvider(entry, preset);
    if (config.replicas.length > 0 && preset.dialect !== 'openai') {
      report(['providers', index, 'replicas'], `replicas are for self-hosted OpenAI-compatible servers (vLLM, SGLang); preset ${JSON.stringify(preset.id)} speaks ${preset.dialect}`);
    }
    providers.push(config);
    builtProviders.set(entry.id, { config, preset });
  });

  const modelIds = uniqueIds(rawModels, 'models', report);
  rawModels.forEach((raw, index) => {
    const provider = text(raw, 'provider');
    if (provider === undefined || providerIds.has(provider)) return;
    const names = [...providerIds.keys()];
    report(['models', index, 'provider'], `unknown provider ${JSON.stringify(provider)}${suggestion(provider, names)} (declared providers: ${listNames(names)})`);
  });
  const models: ModelConfig[] = [];
  const built = new Map<string, ModelConfig>();
  const declaredUpstreams = new Set<string>();
  modelEntries.forEach((entry, index) => {
    const provider = entry && builtProviders.get(entry.provider);
    if (!entry || !provider || modelIds.get(entry.id) !== index) return;
    const model = buildModel(entry, entry.id, entry.provider, provider.preset.models, entry.upstream ?? entry.id);
    models.push(model);
    built.set(model.id, model);
    declaredUpstreams.add(`${model.provider}\u0000${model.upstream}`);
  });

  // `models: all`: every catalogue model not declared yet (by id, or by upstream on the same provider); first provider wins.
  // A config that declares no model at all serves every provider's catalogue, as with no config file.
  const everyCatalogue = rawModels.length === 0;
  rawProviders.forEach((raw, index) => {
    const id = text(raw, 'id');
    const preset = getPreset(text(raw, 'preset') ?? '');
    const wanted = valueAt(raw, ['models']);
    if ((wanted !== 'all' && !(everyCatalogue && wanted === undefined)) || id === undefined || !preset || providerIds.get(id) !== index) return;
    for (const known of preset.models) {
      if (modelIds.has(known.id) || declaredUpstreams.has(`${id}\u0000${known.id}`)) continue;
      modelIds.set(known.id, -1);
      if (!builtProviders.has(id)) continue;
      const model = buildModel(undefined, known.id, id, preset.models, known.id);
      models.push(model);
      built.set(model.id, model);
    }
  });

  rawModels.forEach((raw, index) => {
    const self = text(raw, 'id');
    const fallbacks = valueAt(raw, ['fallbacks']);
    if (!Array.isArray(fallbacks)) return;
    const seen = new Set<string>();
    fallbacks.forEach((name: unknown, position) => {
      if (typeof name !== 'string') return;
      const path: PathSegment[] = ['models', index, 'fallbacks', position];
      const target = built.get(name);
      const source = self === undefined ? undefined : built.get(self);
      if (name === self) report(path, `model ${JSON.stringify(name)} cannot fall back to itself`);
      else if (seen.has(name)) report(path, `${JSON.stringify(name)} is listed twice`);
      else if (!modelIds.has(name)) {
        const names = [...modelIds.keys()];
        report(path, `unknown model ${JSON.stringify(name)}${suggestion(name, names)} (declared models: ${listNames(names)})`);
      } else if (target && source && target.kind !== source.kind) {
        report(path, `${JSON.stringify(name)} is ${kindName(target.kind)} model but ${JSON.stringify(self)} is ${kindName(source.kind)} model; a fallback must be of the same kind`);
      }
      seen.add(name);
    });
  });
  return { providers, models };
}

function applyOverrides(file: ConfigFile, overrides: ConfigOverrides | undefined, report: Report): ConfigFile {
  if (!overrides) return file;
  const { port, host } = overrides;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) report(['server', 'port'], `the port override must be a whole number from 0 to 65535, got ${String(port)}`);
  if (host !== undefined && host.trim() === '') report(['server', 'host'], 'the host override must not be empty');
  return { ...file, server: { ...file.server, ...(port === undefined ? {} : { port }), ...(host === undefined ? {} : { host }) } };
}

/** Validates plain config data (from YAML or from the environment) into the frozen, hashed GatewayConfig. */
export function buildConfig(data: unknown, positions: SourcePositions | undefined, source: string, overrides?: ConfigOverrides, earlier: ConfigProblem[] = []): GatewayConfig {
  const problems = [...earlier];
  const report: Report = (path, message) => problems.push({ ...positions?.locate(path), path: formatPath(path), message: `${formatPath(path) || 'top level'}: ${message}` });
  const top = configFileSchema.safeParse(data);
  if (!top.success) problems.push(...schemaProblems(top.error.issues, data, positions));
  const section = (name: string): unknown[] => {
    const value = valueAt(data, [name]);
    return Array.isArray(value) ? value : [];
  };
  const rawProviders = section('providers');
  const rawModels = section('models');
  const entries = <T>(raw: unknown[], name: string, schema: z.ZodType<T>) =>
    raw.map((value, index) => {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      const issues = result.error.issues.map((issue) => ({ ...issue, path: [name, index, ...issue.path] }));
      problems.push(...schemaProblems(issues, data, positions));
      return undefined;
    });
  const { providers, models } = resolveEntries(rawProviders, rawModels, entries(rawProviders, 'providers', providerSchema), entries(rawModels, 'models', modelSchema), report);
  const routes = resolveRoutes(section('routes'), models, report);
  const file = applyOverrides(top.success ? top.data : {}, overrides, report);
  for (const { index, message } of patternProblems(file.privacy)) report(['privacy', 'patterns', index, 'pattern'], message);
  if (file.cache?.exact?.store === 'redis' && file.redis?.url === undefined) {
    report(['cache', 'exact', 'store'], 'the "redis" store needs redis.url (e.g. redis://127.0.0.1:6379)');
  }
  const flywheel = buildFlywheelConfig(file, { routes: new Set([...routes.map((route) => route.id), ...models.map((model) => model.id)]), models: new Set(models.map((model) => model.id)) });
  for (const problem of flywheel.problems) report(problem.path, problem.message);
  const experiments = buildExperimentsConfig(file.experiments, {
    models: new Set(models.map((model) => model.id)),
    routes: new Set(routes.map((route) => route.id)),
    scenarios: new Set(Object.keys(file.scenarios ?? {})),
    metrics: flywheel.config.metrics,
    scenarioMetrics: Object.fromEntries(Object.entries(flywheel.config.quality).map(([scenario, quality]) => [scenario, quality.metric])),
    capture: flywheel.config.capture,
  });
  for (const problem of experiments.problems) report(problem.path, problem.message);
  if (problems.length > 0) throw new ConfigError(source, problems);

  const config = {
    server: { host: file.server?.host ?? '127.0.0.1', port: file.server?.port ?? 8080, bodyLimitBytes: file.server?.bodyLimitBytes ?? 10_485_760, shutdownDelayMs: file.server?.shutdownDelayMs ?? 0, drainMs: file.server?.drainMs ?? 10_000, ...(file.server?.cors ? { cors: { origins: file.server.cors.origins, maxAgeSeconds: file.server.cors.maxAgeSeconds ?? 600 } } : {}) },
    storage: { url: file.storage?.url ?? 'sqlite:./.tidegate/tidegate.db' },
    admin: { key: file.admin?.key === '' ? undefined : file.admin?.key },
    circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000, ...file.circuitBreaker },
    requestLog: { enabled: true, batchSize: 200, flushIntervalMs: 50, queueLimit: 10_000, ...file.requestLog },
    pricing: { usdToCny: file.pricing?.usdToCny ?? 7.2, flagshipReference: file.pricing?.flagshipReference },
    cache: {
      exact: {
        enabled: false,
        ttlSeconds: 3_600,
        maxBytes: 64 * 1024 * 1024,
        store: 'memory' as const,
        path: './.tidegate/cache.db',
        scope: 'key' as const,
        ...file.cache?.exact,
      },
      semantic: {
        enabled: false,
        threshold: DEFAULT_SEMANTIC_THRESHOLD,
        ttlSeconds: 3_600,
        maxEntries: 10_000,
        scope: 'key' as const,
        ...file.cache?.semantic,
        scenarios: [...(file.cache?.semantic?.scenarios ?? [])],
      },
    },
    redis: { url: file.redis?.url },
    cluster: clusterDefaults(file.cluster),
    telemetry: telemetryDefaults(file.telemetry),
    privacy: file.privacy ? { ...file.privacy, enabled: file.privacy.enabled ?? true } : undefined,
    aigc: file.aigc ? buildAigcConfig(file.aigc) : undefined,
    requireFiled: file.requireFiled ?? false,
    scenarios: Object.fromEntries(Object.entries(file.scenarios ?? {}).map(([name, { quality: _quality, ...defaults }]) => [name, { ...defaults }])),
    scheduling: schedulingDefaults(file.scheduling),
    batch: { retryInterrupted: file.batch?.retryInterrupted ?? false },
    responses: { keepMs: file.responses?.keepMs ?? 3_600_000, maxBytes: file.responses?.maxBytes ?? 16 * 1024 * 1024 },
    flywheel: flywheel.config,
    experiments: experiments.config,
    providers,
    models,
    routes,
  };
  return deepFreeze({ ...config, hash: configHash(config), source });
}

/** sha256 of the normalised config as sorted-key JSON, with secrets replaced by "<set>" / "<unset>". */
export function configHash(config: Omit<GatewayConfig, 'hash' | 'source'>): string {
  const secret = (value: string | undefined) => (value === undefined ? '<unset>' : '<set>');
  const redacted = {
    ...config,
    storage: { url: config.storage.url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@/]*@/, '$1<set>@') },
    admin: { key: secret(config.admin.key) },
    privacy: config.privacy ? { ...config.privacy, secret: secret(config.privacy.secret) } : undefined,
    aigc: config.aigc ? { ...config.aigc, signingKey: secret(config.aigc.signingKey) } : undefined,
    telemetry: config.telemetry ? { ...config.telemetry, headers: Object.fromEntries(Object.keys(config.telemetry.headers).map((name) => [name, '<set>'])) } : undefined,
    providers: config.providers.map((provider) => ({
      ...provider,
      apiKey: secret(provider.apiKey),
      headers: Object.fromEntries(Object.entries(provider.headers).map(([name, value]) => [name, /auth|key|token|secret|password|cookie/i.test(name) ? '<set>' : value])),
    })),
  };
  return createHash('sha256').update(stableStringify(redacted)).digest('hex');
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value as Record<string, unknown>)) deepFreeze(item);
  }
  return value;
}

/** Parses and validates config text (YAML); `sourceName` is used in messages and as `config.source`. */
export function parseConfigText(text: string, sourceName: string, env: Environment = process.env, overrides?: ConfigOverrides): GatewayConfig {
  const parsed = readYaml(text.replace(/^\uFEFF/, ''), env);
  if (parsed.data === undefined) throw new ConfigError(sourceName, parsed.problems);
  return buildConfig(parsed.data, parsed.positions, sourceName, overrides, parsed.problems);
}

/** The configuration from API-key environment variables alone (no config file). */
export function configFromEnvironment(env: Environment = process.env, overrides?: ConfigOverrides): GatewayConfig {
  const { data, problems } = environmentConfigData(env);
  return buildConfig(data, undefined, 'environment', overrides, problems);
}

function readConfigFile(path: string, shownAs: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `config file not found: ${path}` : code === 'EISDIR' ? `${path} is a directory, not a config file` : `cannot read ${path}: ${(error as Error).message}`;
    throw new ConfigError(shownAs, [{ path: '', message: reason }]);
  }
}

/** Loads the configuration: the given file, else `<cwd>/tidegate.yaml`, else the environment. Throws ConfigError. */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.file !== undefined) {
    return parseConfigText(readConfigFile(resolve(cwd, options.file), options.file), options.file, env, options.overrides);
  }
  const defaultFile = join(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(defaultFile)) return parseConfigText(readConfigFile(defaultFile, defaultFile), defaultFile, env, options.overrides);
  return configFromEnvironment(env, options.overrides);
}

export type CheckResult = { ok: true; config: GatewayConfig } | { ok: false; error: ConfigError };

/** For `tidegate config check`: the loaded config, or every problem found. */
export function checkConfig(file?: string, env?: NodeJS.ProcessEnv, cwd?: string): CheckResult {
  try {
    return { ok: true, config: loadConfig({ file, env, cwd }) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, error };
    throw error;
  }
}
