import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import type { Services } from '../pipeline/services.js';
import { checkTimeZone, offsetMinutes, startOfDay } from '../rollups/time-zone.js';
import type { Database } from '../storage/database.js';

/**
 * Query parameters shared by the dashboard's data endpoints (docs/dashboard-api.md): a range [from, to) in a
 * time zone, enumerations, page sizes and cursors. Every bad value is an `invalid_request` naming its param.
 */

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

/** The store behind the dashboard pages; absent in tools that build Services by hand. */
export function dashboardStore(services: Services): Database {
  const database = services.dashboard?.database;
  if (!database) throw new GatewayError('not_found', 'The dashboard data is not available in this process.');
  return database;
}

/** A day (YYYY-MM-DD, local midnight in tz) or an ISO instant with its offset. */
function instant(value: string, tz: string, param: string): number {
  const midnight = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  const realDay = Number.isFinite(midnight) && new Date(midnight).toISOString().startsWith(value);
  const ms = realDay ? startOfDay(tz, value) : !DAY.test(value) && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw invalid(param, 'expected a day YYYY-MM-DD (in tz) or an ISO 8601 instant');
  return ms;
}

export function timeZone(params: URLSearchParams): string {
  const tz = params.get('tz') ?? 'Asia/Shanghai';
  try {
    checkTimeZone(tz);
  } catch {
    throw invalid('tz', 'expected an IANA time zone such as Asia/Shanghai or UTC');
  }
  return tz;
}

export interface DashboardRange {
  from: number;
  until: number;
  tz: string;
}

export interface RangeOptions {
  /** The longest range allowed, in days. */
  maxDays: number;
  /** Days are built from hourly rollups, so the zone's offset must be whole hours. */
  wholeHours?: boolean;
  now?: number;
}

/** from/to/tz: `to` is exclusive and defaults to now, `from` to 30 days before `to`. */
export function parseRange(params: URLSearchParams, options: RangeOptions): DashboardRange {
  const tz = timeZone(params);
  const now = options.now ?? Date.now();
  const until = params.get('to') === null ? now : instant(params.get('to')!, tz, 'to');
  const from = params.get('from') === null ? until - 30 * DAY_MS : instant(params.get('from')!, tz, 'from');
  if (from >= until) throw invalid('from', 'must be before to');
  if (until - from > options.maxDays * DAY_MS) throw invalid('from', `the range may cover at most ${options.maxDays} days`);
  if (options.wholeHours && (offsetMinutes(tz, from) % 60 !== 0 || offsetMinutes(tz, until) % 60 !== 0)) {
    throw invalid('tz', "days are built from hourly rollups, so the zone's UTC offset must be whole hours");
  }
  return { from, until, tz };
}

/** An optional enumerated value. */
export function oneOf<T extends string>(params: URLSearchParams, name: string, values: readonly T[], fallback?: T): T | undefined {
  const value = params.get(name);
  if (value === null || value === '') return fallback;
  if (!(values as readonly string[]).includes(value)) throw invalid(name, `expected one of ${values.join(', ')}`);
  return value as T;
}

/** An optional free-text filter (a name or id), bounded in length. */
export function text(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (value.length > 200) throw invalid(name, 'at most 200 characters');
  return value;
}

export function pageSize(params: URLSearchParams, fallback = 50, max = 200): number {
  const value = params.get('limit');
  if (value === null) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw invalid('limit', `expected an integer from 1 to ${max}`);
  return Number(value);
}

/** An opaque cursor for newest-first paging: the (time, id) of the last row of the previous page. */
export function encodeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(params: URLSearchParams): { at: number; id: string } | undefined {
  const value = params.get('cursor');
  if (value === null || value === '') return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(at) && typeof id === 'string') return { at: at as number, id };
  } catch {
    // fall through to the error below
  }
  throw invalid('cursor', 'not a cursor this endpoint returned (pass next_cursor as it was given)');
}

/** A ratio rounded to 4 decimals, null when nothing was counted. */
export const share = (part: number, whole: number): number | null => (whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null);

/** The request's query parameters. */
export const query = (exchange: Exchange): URLSearchParams => exchange.url.searchParams;
