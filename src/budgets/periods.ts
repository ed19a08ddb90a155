/** Budget periods run on Beijing time (UTC+8, no daylight saving), like Chinese providers' billing. */
const offsetMs = 8 * 3600_000;

export interface Periods {
  /** Beijing date, e.g. "2026-11-28", and the epoch ms of its start and end. */
  readonly day: string;
  readonly dayStart: number;
  readonly dayEnd: number;
  readonly month: string;
  readonly monthStart: number;
  readonly monthEnd: number;
}

export function periodsAt(now: number): Periods {
  const local = new Date(now + offsetMs);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth();
  const date = local.getUTCDate();
  const dayStart = Date.UTC(year, month, date) - offsetMs;
  const monthStart = Date.UTC(year, month, 1) - offsetMs;
  return {
    day: local.toISOString().slice(0, 10),
    dayStart,
    dayEnd: dayStart + 24 * 3600_000,
    month: local.toISOString().slice(0, 7),
    monthStart,
    monthEnd: Date.UTC(year, month + 1, 1) - offsetMs,
  };
}
