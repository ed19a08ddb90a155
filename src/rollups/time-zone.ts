/** Calendar days in an IANA time zone, for grouping hours into days (no dependency: Intl only). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let found = formatters.get(tz);
  if (!found) {
    found = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    if (formatters.size > 64) formatters.clear();
    formatters.set(tz, found);
  }
  return found;
}

/** Throws a RangeError for a name Intl does not know. */
export function checkTimeZone(tz: string): void {
  formatter(tz);
}

function parts(tz: string, ms: number): { day: string; minutesOfDay: number; offsetMin: number } {
  const map: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(ms)) map[part.type] = part.value;
  const day = `${map.year}-${map.month}-${map.day}`;
  const localAsUtc = Date.UTC(Number(map.year), Number(map.month) - 1, Number(map.day), Number(map.hour), Number(map.minute));
  return { day, minutesOfDay: Number(map.hour) * 60 + Number(map.minute), offsetMin: Math.round((localAsUtc - (ms - (ms % 60_000))) / 60_000) };
}

/** The calendar day (YYYY-MM-DD) of an instant in tz. */
export function dayIn(tz: string, ms: number): string {
  return parts(tz, ms).day;
}

/** The UTC offset of tz at an instant, in minutes. */
export function offsetMinutes(tz: string, ms: number): number {
  return parts(tz, ms).offsetMin;
}

/** The instant local midnight of YYYY-MM-DD starts in tz. */
export function startOfDay(tz: string, day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  let instant = guess - offsetMinutes(tz, guess) * 60_000;
  // Once more with the offset in force at the first guess (differs across a DST change).
  instant = guess - offsetMinutes(tz, instant) * 60_000;
  return instant;
}
