/** The reporting range: a preset number of days ending today, or custom days; always whole days in tz. */
export type RangeChoice = { kind: 'preset'; days: 7 | 30 | 90 } | { kind: 'custom'; from: string; to: string };

export interface DayRange {
  /** First day, inclusive (YYYY-MM-DD in tz). */
  from: string;
  /** The day after the last one (exclusive), as the API takes it. */
  to: string;
  /** The last day shown, inclusive. */
  last: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Today's calendar day in a time zone. */
export function today(timeZone: string, now = Date.now()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(now));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(day: string, days: number): string {
  const ms = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

export function isDay(value: string | null | undefined): value is string {
  return typeof value === 'string' && DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function resolveRange(choice: RangeChoice, timeZone: string, now = Date.now()): DayRange {
  if (choice.kind === 'custom') return { from: choice.from, to: addDays(choice.to, 1), last: choice.to };
  const last = today(timeZone, now);
  return { from: addDays(last, 1 - choice.days), to: addDays(last, 1), last };
}

/** Range state lives in the URL (?range=7|30|90 or ?from=…&to=…), so a link shows the same numbers. */
export function rangeFromSearch(search: URLSearchParams): RangeChoice {
  const from = search.get('from');
  const to = search.get('to');
  if (isDay(from) && isDay(to) && from <= to) return { kind: 'custom', from, to };
  const days = Number(search.get('range'));
  return { kind: 'preset', days: days === 7 || days === 90 ? days : 30 };
}

export function rangeToSearch(choice: RangeChoice, search: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(search);
  next.delete('range');
  next.delete('from');
  next.delete('to');
  if (choice.kind === 'custom') {
    next.set('from', choice.from);
    next.set('to', choice.to);
  } else if (choice.days !== 30) next.set('range', String(choice.days));
  return next;
}
