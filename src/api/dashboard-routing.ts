import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { qualityKept, scenarioQuality } from '../rollups/quality.js';
import { routingMix, type MixLine } from '../rollups/routing-mix.js';
import { dashboardStore, parseRange, query, share } from './dashboard-params.js';
import { describe } from './routes-report.js';

/** Quality targets the cost–quality frontier is sampled at (plus each route's own target). */
const FRONTIER_TARGETS = Array.from({ length: 21 }, (_, i) => Math.round((0.8 + i * 0.01) * 100) / 100);

function frontierPoint(services: Services, route: Services['config']['routes'][number], target: number) {
  const d = describe(services, route, target);
  return {
    quality_target: target,
    // The calibration's first point has no finite threshold (every request to the light model): null.
    threshold: d.threshold === null || d.threshold > 1e300 ? null : d.threshold,
    flagship_share: d.expected_flagship_share,
    quality_kept: d.expected_quality_kept,
    relative_cost: d.expected_savings_vs_flagship === null ? null : Math.round((1 - d.expected_savings_vs_flagship) * 1000) / 1000,
  };
}

type Tally = Omit<MixLine, 'light_share'>;
const tally = (): Tally => ({ requests: 0, light: 0, flagship: 0, cascade_accepted: 0, escalated: 0 });
function add(into: Tally, line: Tally): void {
  for (const name of ['requests', 'light', 'flagship', 'cascade_accepted', 'escalated'] as const) into[name] += line[name];
}
const mixView = (line: Tally) => ({ requests: line.requests, light: line.light, flagship: line.flagship, light_share: share(line.light, line.light + line.flagship), escalated: line.escalated });

/** GET /admin/dashboard/routing: the router's cost–quality frontier, tier mix and escalations, quality per scenario. */
export async function routingPage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const { from, until, tz } = parseRange(query(exchange), { maxDays: 93 });
  const mix = await routingMix(database, from, until);

  const routes = new Map<string, { total: Tally; scenarios: Map<string, Tally> }>();
  const scenarios = new Map<string, Tally>();
  const overall = tally();
  for (const line of mix) {
    let route = routes.get(line.route);
    if (!route) routes.set(line.route, (route = { total: tally(), scenarios: new Map() }));
    add(route.total, line);
    const perScenario = route.scenarios.get(line.scenario) ?? tally();
    add(perScenario, line);
    route.scenarios.set(line.scenario, perScenario);
    const scenario = scenarios.get(line.scenario) ?? tally();
    add(scenario, line);
    scenarios.set(line.scenario, scenario);
    add(overall, line);
  }
  const { quality, metrics } = services.config.flywheel;
  for (const name of Object.keys(quality)) if (!scenarios.has(name)) scenarios.set(name, tally());

  const scenarioViews = await Promise.all(
    [...scenarios].map(async ([name, line]) => {
      const bar = quality[name];
      const metric = bar ? metrics[bar.metric] : undefined;
      return {
        scenario: name,
        ...mixView(line),
        quality: bar && metric ? await scenarioQuality(database, { from, until, scenario: name, metric: bar.metric, type: metric.type, optimize: metric.optimize, target: bar.target }) : null,
      };
    }),
  );

  sendJson(exchange.response, 200, {
    from: new Date(from).toISOString(),
    to: new Date(until).toISOString(),
    tz,
    router: services.router ? { version: services.router.router.version } : null,
    frontier: services.router
      ? services.config.routes.map((route) => {
        const targets = [...new Set([...FRONTIER_TARGETS, route.qualityTarget])].sort((a, b) => a - b);
        return { route: route.id, quality_target: route.qualityTarget, points: targets.map((target) => frontierPoint(services, route, target)), current: frontierPoint(services, route, route.qualityTarget) };
      })
      : [],
    routes: [...routes]
      .map(([route, { total, scenarios: perScenario }]) => ({
        route,
        requests: total.requests,
        light: total.light,
        flagship: total.flagship,
        light_share: share(total.light, total.light + total.flagship),
        cascade: { requests: total.cascade_accepted + total.escalated, accepted: total.cascade_accepted, escalated: total.escalated, escalation_rate: share(total.escalated, total.cascade_accepted + total.escalated) },
        scenarios: [...perScenario].map(([scenario, line]) => ({ scenario, ...mixView(line) })).sort((a, b) => b.requests - a.requests),
      }))
      .sort((a, b) => b.requests - a.requests),
    scenarios: scenarioViews.sort((a, b) => b.requests - a.requests || a.scenario.localeCompare(b.scenario)),
    quality_kept: await qualityKept(database, from, until, share(overall.light, overall.light + overall.flagship)),
  });
}
