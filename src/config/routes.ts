import { z } from 'zod';
import { listNames, suggestion, type PathSegment } from './config-error.js';
import { cacheOverrideSchema } from './schema.js';
import { providerPolicySchema } from './privacy.js';
import type { ModelConfig, RouteConfig } from './types.js';

const share = z.number().gt(0).max(1);
const modelList = z.array(z.string().min(1)).min(1);

export const routeSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: 'must use letters, digits, ".", "_", ":" or "-"' }),
  light: modelList,
  flagship: modelList,
  /** Share of always-flagship quality to keep, e.g. 0.95. */
  qualityTarget: share.optional(),
  scenarios: z.record(z.string(), z.strictObject({ qualityTarget: share })).optional(),
  cascade: z
    .strictObject({
      enabled: z.boolean().optional(),
      verifier: z.enum(['self-consistency', 'judge', 'arithmetic']).optional(),
      /** Model that judges the light answer when verifier is "judge" (default: the first light model). */
      judge: z.string().min(1).optional(),
      samples: z.number().int().min(2).max(5).optional(),
    })
    .optional(),
  cache: cacheOverrideSchema.optional(),
  /** What leaves for a provider from requests to this route (overrides privacy.provider). */
  privacy: providerPolicySchema.optional(),
  /** Only filed models may serve this route (overrides the global requireFiled). */
  requireFiled: z.boolean().optional(),
});

type Report = (path: PathSegment[], message: string) => void;

/**
 * Routes: a name clients send as "model" that the router resolves per request to a light or a flagship
 * model. With no routes configured, an `auto` route is made from the configured light and flagship chat models.
 */
export function resolveRoutes(raw: unknown[], models: readonly ModelConfig[], report: Report): RouteConfig[] {
  const byId = new Map(models.map((model) => [model.id, model]));
  const routes: RouteConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((value, index) => {
    const parsed = routeSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) report(['routes', index, ...(issue.path as PathSegment[])], issue.message);
      return;
    }
    const route = parsed.data;
    if (seen.has(route.id)) report(['routes', index, 'id'], `duplicate route id ${JSON.stringify(route.id)}`);
    if (byId.has(route.id)) report(['routes', index, 'id'], `route id ${JSON.stringify(route.id)} is also a model id; clients could not tell them apart`);
    seen.add(route.id);
    for (const tier of ['light', 'flagship'] as const) {
      route[tier].forEach((name, position) => {
        const model = byId.get(name);
        if (!model) report(['routes', index, tier, position], `unknown model ${JSON.stringify(name)}${suggestion(name, [...byId.keys()])} (declared models: ${listNames([...byId.keys()])})`);
        else if (model.kind !== 'chat') report(['routes', index, tier, position], `${JSON.stringify(name)} is an embedding model; routes choose between chat models`);
      });
    }
    const judge = route.cascade?.judge;
    if (judge !== undefined && !byId.has(judge)) report(['routes', index, 'cascade', 'judge'], `unknown model ${JSON.stringify(judge)}`);
    routes.push({
      id: route.id,
      light: route.light,
      flagship: route.flagship,
      qualityTarget: route.qualityTarget ?? 0.95,
      scenarios: route.scenarios ?? {},
      cascade: {
        enabled: route.cascade?.enabled ?? false,
        verifier: route.cascade?.verifier ?? 'self-consistency',
        judge: judge ?? route.light[0]!,
        samples: route.cascade?.samples ?? 2,
      },
      ...(route.privacy ? { privacy: { ...route.privacy } } : {}),
      ...(route.requireFiled === undefined ? {} : { requireFiled: route.requireFiled }),
      cache: { ...(route.cache?.exact ? { exact: { ...route.cache.exact } } : {}), ...(route.cache?.semantic ? { semantic: { ...route.cache.semantic } } : {}) },
    });
  });
  if (raw.length === 0 && !byId.has('auto')) {
    const chat = models.filter((model) => model.kind === 'chat');
    const light = chat.filter((model) => model.tier === 'light').map((model) => model.id);
    const flagship = chat.filter((model) => model.tier === 'flagship').map((model) => model.id);
    if (light.length > 0 && flagship.length > 0) {
      routes.push({ id: 'auto', light, flagship, qualityTarget: 0.95, scenarios: {}, cascade: { enabled: false, verifier: 'self-consistency', judge: light[0]!, samples: 2 }, cache: {} });
    }
  }
  return routes;
}
