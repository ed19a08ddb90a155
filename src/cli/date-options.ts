import { UsageError } from './usage-error.js';

/** Reports, budgets and datasets count days in Beijing time (UTC+8, no daylight saving), like Chinese providers' bills. */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** One end of a date range: the epoch ms used in queries, and how to show it (Beijing time, as the user meant it). */
export interface DateBound {
  readonly ms: number;
  readonly label: string;
  /** Given as a date: the whole Beijing day counts. */
  readonly wholeDay: boolean;
}

/** Date.UTC rolls 2026-02-30 over to March 2; only a real calendar date survives the round trip. */
function isCalendarDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

/** "2026-11-01 08:30" in Beijing time. */
export function beijingLabel(ms: number, withTime: boolean): string {
  const text = new Date(ms + BEIJING_OFFSET_MS).toISOString();
  return withTime ? text.slice(0, 16).replace('T', ' ') : text.slice(0, 10);
}

/**
 * --since / --until: YYYY-MM-DD is a Beijing day; as --until it includes that whole day (the queries' end is
 * exclusive, so the bound is the next midnight). An ISO-8601 instant is exact; without an offset it is Beijing time.
 */
export function parseDateOption(value: string, flag: 'since' | 'until'): DateBound {
  const day = DAY.exec(value);
  const instant = day ? undefined : INSTANT.exec(value);
  const parts = day ?? instant;
  if (!parts || !isCalendarDate(parts[1]!, parts[2]!, parts[3]!)) {
    throw new UsageError(`--${flag} takes a date YYYY-MM-DD (a Beijing day) or an ISO-8601 time such as 2026-11-01T08:00, got ${value}`);
  }
  if (day) {
    const start = Date.parse(`${value}T00:00:00+08:00`);
    return { ms: flag === 'until' ? start + DAY_MS : start, label: value, wholeDay: true };
  }
  const ms = Date.parse(instant![6] ? value : `${value}+08:00`);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag} is not a valid time: ${value}`);
  return { ms, label: beijingLabel(ms, true), wholeDay: false };
}

/** Both ends parsed, and refused when the range is empty or reversed (a report of nothing is a mistake, not a result). */
export function parseDateRange(values: { since?: string | undefined; until?: string | undefined }): { since?: DateBound; until?: DateBound } {
  const since = values.since === undefined ? undefined : parseDateOption(values.since, 'since');
  const until = values.until === undefined ? undefined : parseDateOption(values.until, 'until');
  if (since && until && since.ms >= until.ms) throw new UsageError(`--since ${values.since} must come before --until ${values.until}`);
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}
