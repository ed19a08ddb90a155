import { parseCacheDirective } from '../cache/exact-cache.js';
import type { GatewayConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { RequestContext, type Endpoint } from '../pipeline/request-context.js';
import { episodeHeader } from '../flywheel/episode.js';

const scenarioPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The key a call is made with, as the request log and per-key state name it ('admin' for the admin key; none in open mode). */
export function callerKeyId(principal: Exchange['principal']): string | undefined {
  return principal.kind === 'key' ? principal.keyId : principal.kind === 'admin' ? 'admin' : undefined;
}

/** The parts of the config that name scenarios. */
export type ScenarioConfig = Pick<GatewayConfig, 'scenarios' | 'routes' | 'cache' | 'flywheel' | 'experiments'>;

const declaredByConfig = new WeakMap<ScenarioConfig, ReadonlySet<string>>();

/**
 * The scenario names a config declares, or undefined when it has no `scenarios:` section. Without one a
 * scenario is a free label (usage reports group by it), and lists such as cache.semantic.scenarios only opt
 * some labels in; with one, a name any section uses is valid, and any other is a typo that would silently
 * lose the scenario's priority, quality target and capture.
 */
export function declaredScenarios(config: ScenarioConfig): ReadonlySet<string> | undefined {
  if (Object.keys(config.scenarios).length === 0) return undefined;
  let names = declaredByConfig.get(config);
  if (!names) {
    names = new Set([
      ...Object.keys(config.scenarios),
      ...config.routes.flatMap((route) => Object.keys(route.scenarios)),
      ...config.cache.semantic.scenarios,
      ...Object.keys(config.flywheel.capture.scenarios),
      ...config.experiments.flatMap((experiment) => (experiment.scenario === undefined ? [] : [experiment.scenario])),
    ]);
    declaredByConfig.set(config, names);
  }
  return names;
}

/** The x-tidegate-scenario header, checked as strictly as x-tidegate-priority. */
function scenarioHeader(value: string | string[] | undefined, config: ScenarioConfig | undefined): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const param = 'x-tidegate-scenario';
  if (!scenarioPattern.test(value)) throw new GatewayError('invalid_request', `${param}: use letters, digits, ".", "_" or "-" (at most 64).`, { param });
  const declared = config ? declaredScenarios(config) : undefined;
  if (declared && !declared.has(value)) {
    throw new GatewayError('invalid_request', `${param}: unknown scenario ${JSON.stringify(value)}; the config declares ${[...declared].sort().join(', ')}.`, { param });
  }
  return value;
}

/** The context of a model call, with who called and the x-tidegate-* request headers read once (the scenario checked against `config`'s). */
export function modelCallContext(exchange: Exchange, endpoint: Endpoint, config?: ScenarioConfig): RequestContext {
  const { principal, request } = exchange;
  const context = new RequestContext(endpoint, callerKeyId(principal), request.socket.remoteAddress);
  exchange.context = context;
  context.principal = principal;
  const scenario = scenarioHeader(request.headers['x-tidegate-scenario'], config);
  if (scenario !== undefined) context.scenario = scenario;
  context.cacheDirective = parseCacheDirective(request.headers['x-tidegate-cache']);
  context.aigcLabelOff = String(request.headers['x-tidegate-aigc-label'] ?? '').toLowerCase() === 'off';
  const session = request.headers['x-tidegate-session'];
  if (typeof session === 'string' && session !== '') context.sessionId = session.slice(0, 200);
  context.episodeId = episodeHeader(request.headers['x-tidegate-episode-id']);
  const { traceparent, tracestate } = request.headers;
  if (typeof traceparent === 'string') context.traceparent = traceparent;
  if (typeof tracestate === 'string') context.tracestate = tracestate;
  return context;
}
