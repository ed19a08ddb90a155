import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { checkTimeZone, offsetMinutes, startOfDay } from '../rollups/time-zone.js';

/** The longest range one overview may cover: every dashboard query is bounded. */
const MAX_RANGE_MS = 400 * 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

/** A day (YYYY-MM-DD, local midnight in tz) or an ISO instant with its offset. */
function instant(value: string, tz: string, param: string): number {
  const midnight = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  const realDay = Number.isFinite(midnight) && new Date(midnight).toISOString().startsWith(value);
  const ms = realDay ? startOfDay(tz, value) : !DAY.test(value) && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(param, 'expected a day YYYY-MM-DD (in tz) or an ISO 8601 instant');
  return ms;
}

/**
 * GET /admin/dashboard/overview?from=YYYY-MM-DD&to=YYYY-MM-DD&tz=Asia/Shanghai: spend, flagship-equivalent
 * spend, savings by source, requests, latency / TTFT / overhead percentiles, per calendar day in tz and in
 * total. `to` is exclusive; the default is the last 30 days up to now.
 */
async function overview(services: Services, exchange: Exchange): Promise<void> {
  if (!services.dashboard) throw new GatewayError('not_found', 'The dashboard data is not available in this process.');
  const params = exchange.url.searchParams;
  const tz = params.get('tz') ?? 'Asia/Shanghai';
  try {
    checkTimeZone(tz);
  } catch {
    throw invalid('tz', 'expected an IANA time zone such as Asia/Shanghai or UTC');
  }
  const now = Date.now();
  const until = params.get('to') === null ? now : instant(params.get('to')!, tz, 'to');
  const from = params.get('from') === null ? until - 30 * 86_400_000 : instant(params.get('from')!, tz, 'from');
  if (from >= until) throw invalid('from', 'must be before to');
  if (until - from > MAX_RANGE_MS) throw invalid('from', 'the range may cover at most 400 days');
  if (offsetMinutes(tz, from) % 60 !== 0 || offsetMinutes(tz, until) % 60 !== 0) {
    throw invalid('tz', 'days are built from hourly rollups, so the zone\'s UTC offset must be whole hours');
  }
  sendJson(exchange.response, 200, await services.dashboard.overview({ from, until, tz }));
}

export const dashboardDataRoutes: readonly Route[] = [{ method: 'GET', path: '/admin/dashboard/overview', access: 'admin', handler: overview }];
