import type { RouteConfig } from '../config/types.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { priceAt } from '../pricing/price-book.js';

/** Cost of a typical call (1,000 tokens in, 300 out) at list price, to turn a flagship share into savings. */
function typicalCallNano(services: Services, modelId: string | undefined): number | undefined {
  const model = modelId ? services.models.get(modelId) : undefined;
  if (!model || !priceAt(model.prices, new Date())) return undefined;
  const usage = { inputUncached: 1000, cacheRead: 0, cacheWrite: 0, output: 300, reasoning: 0, imageTokens: 0, estimated: true };
  return services.pricer.cost(model, usage, new Date()).nanoCny;
}

/** What a route is expected to do at a quality target: threshold, flagship share, quality kept, savings (the calibration of the learned router). */
export function describe(services: Services, route: RouteConfig, target: number) {
  const calibration = services.router?.calibration(target);
  const light = typicalCallNano(services, route.light[0]);
  const flagship = typicalCallNano(services, route.flagship[0]);
  const share = calibration?.expectedFlagshipShare;
  const savings = share !== undefined && light !== undefined && flagship !== undefined && flagship > 0
    ? 1 - (share * flagship + (1 - share) * light) / flagship
    : null;
  return {
    quality_target: target,
    threshold: calibration?.threshold ?? null,
    expected_flagship_share: share ?? null,
    expected_quality_kept: calibration?.expectedQualityKept ?? null,
    expected_savings_vs_flagship: savings === null ? null : Math.round(savings * 1000) / 1000,
  };
}

/** GET /admin/routes: each route, its calibrated threshold, expected flagship share and savings, per scenario. */
export function routesReport(services: Services, exchange: Exchange): void {
  const data = services.config.routes.map((route) => ({
    id: route.id,
    light: route.light,
    flagship: route.flagship,
    router: services.router?.router.version ?? null,
    cascade: route.cascade,
    ...describe(services, route, route.qualityTarget),
    scenarios: Object.fromEntries(Object.entries(route.scenarios).map(([name, scenario]) => [name, describe(services, route, scenario.qualityTarget)])),
  }));
  sendJson(exchange.response, 200, { object: 'list', data });
}
