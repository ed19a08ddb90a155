import type { Services } from '../pipeline/services.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from './exchange.js';

/** A path parameter, %-decoded; a malformed escape is the caller's error, not a 500. */
function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GatewayError('invalid_request', `The path parameter ${name} has a malformed %-escape.`, { param: name });
  }
}

/** Who may call a route: anyone, holders of a client key (or open mode), or the admin key only. */
export type Access = 'public' | 'client' | 'admin';

export interface Route {
  readonly method: string;
  readonly path: string;
  readonly access: Access;
  readonly handler: (services: Services, exchange: Exchange) => void | Promise<void>;
  /** Anthropic-facing routes add Anthropic's envelope fields to the OpenAI error shape. */
  readonly errorShape?: 'openai' | 'anthropic';
}

interface CompiledRoute extends Route {
  readonly pattern: RegExp;
  readonly names: string[];
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** A route table: exact paths and `:param` segments. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/:([a-zA-Z]+)/g, (_all, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  /**
   * The matching route, 'method' when the path exists with another method, or undefined. HEAD is answered by
   * the GET route where no HEAD route is listed (Node's http sends the headers and drops the body).
   */
  match(method: string, path: string): RouteMatch | 'method' | undefined {
    let pathMatched = false;
    let getFallback: { route: CompiledRoute; found: RegExpExecArray } | undefined;
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method === method) return matched(route, found);
      if (method === 'HEAD' && route.method === 'GET') getFallback ??= { route, found };
    }
    if (getFallback) return matched(getFallback.route, getFallback.found);
    return pathMatched ? 'method' : undefined;
  }

  /** The methods routed for a path (HEAD wherever GET is), for the Allow header of a 405, and its error shape. */
  methodsAt(path: string): { methods: string[]; errorShape: 'openai' | 'anthropic' } {
    const here = this.routes.filter((route) => route.pattern.test(path));
    const methods = new Set(here.map((route) => route.method));
    if (methods.has('GET')) methods.add('HEAD');
    return { methods: [...methods].sort(), errorShape: here.some((route) => route.errorShape === 'anthropic') ? 'anthropic' : 'openai' };
  }
}

function matched(route: CompiledRoute, found: RegExpExecArray): RouteMatch {
  const params: Record<string, string> = {};
  route.names.forEach((name, index) => (params[name] = decodeParam(name, found[index + 1] ?? '')));
  return { route, params };
}
