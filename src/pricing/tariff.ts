/**
 * Time-of-day tariff schedules. Every time is computed in Beijing time (Asia/Shanghai = UTC+8, no DST)
 * by arithmetic on the epoch, never from the machine's local time zone, so a UTC server and a developer
 * laptop in Shanghai bill the same instant identically.
 *
 * This module only says WHICH tariff applies at an instant. Which schedule applies on which date and the
 * multipliers per model belong to the price catalogue. For whoever writes it, the DeepSeek timeline
 * (shared/reference/providers.md §4, all times Beijing):
 *
 *   2025-02-26 → 2025-09-05  schedule 'deepseek-night-2025': night discount 00:30–08:30 every day
 *                            (= 16:30–00:30 UTC). deepseek-chat (V3) night = 50% of standard,
 *                            deepseek-reasoner (R1) night = 25%. Standard ¥/1M hit/miss/output: V3 0.5/2/8,
 *                            R1 1/4/16; night: both 0.25/1/4.
 *   2025-09-06 → 2025-09-28  night discount abolished; V3.1 flat 0.5/4/12 (no schedule).
 *   2025-09-29 → 2026-04     V3.2-Exp flat 0.2/2/3 (no schedule).
 *   2026-04-24               V4 preview, flat: v4-flash 0.02/1/2; v4-pro 0.1/12/24 list, 75% promo → 0.025/3/6.
 *   2026-04-26 / 2026-05-22  cache-hit price cut to 1/10 of launch; pro promo made permanent.
 *   2026-06-29               peak/off-peak announced (peak = 2× off-peak), prices not yet live.
 *   2026-08-17 00:00         schedule 'deepseek-peak-2026' live (16:00 UTC on 08-16): off-peak = 50% of peak.
 *                            Peak = 09:00–12:00 and 14:00–18:00 (= 01–04 and 06–10 UTC). Prices: v4-flash peak
 *                            0.10/3/9, off-peak 0.05/1.5/4.5; v4-pro peak 0.30/9/27, off-peak 0.15/4.5/13.5.
 *   2026-08-23               weekends explicitly all off-peak; the zh-CN page also makes Chinese statutory
 *                            holidays off-peak ("周一至周五（不含中国法定节假日）"). This module applies that
 *                            rule with the holiday calendar (make-up Saturdays/Sundays are peak). NB: the only
 *                            weekend day in 08-17..08-22 is Sat 08-22; the mission reads it as off-peak too.
 *   2026-09-10 → now         deepseek-flash (V4.1-Flash) peak 0.04/2/8, off-peak 0.02/1/4;
 *                            deepseek-v4-pro peak 0.30/9/27, off-peak 0.15/4.5/13.5.
 *   Price each call by its event timestamp. No other provider has time-of-day pricing.
 */
import { calendarStatus, dayKindInChina, holidayInfo, type DayKind } from './china-holidays.js';

export type TariffName = 'standard' | 'peak' | 'off-peak' | 'night';
export type TariffScheduleId = 'deepseek-night-2025' | 'deepseek-peak-2026';

export const TARIFF_SCHEDULES: readonly TariffScheduleId[] = ['deepseek-night-2025', 'deepseek-peak-2026'];

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const BEIJING_OFFSET_MS = 8 * 60 * MINUTE_MS;

/** Half-open windows [start, end) in minutes since 00:00 Beijing. */
const NIGHT_WINDOW = [30, 510] as const; // 00:30–08:30
const PEAK_WINDOWS = [
  [540, 720], // 09:00–12:00
  [840, 1080], // 14:00–18:00
] as const;

/** Minutes of the day at which each schedule can change tariff (0 = the date changes). */
const BOUNDARIES: Record<TariffScheduleId, readonly number[]> = {
  'deepseek-night-2025': [NIGHT_WINDOW[0], NIGHT_WINDOW[1]],
  'deepseek-peak-2026': [0, 540, 720, 840, 1080],
};

function checkInstant(at: Date): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid Date');
  return ms;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

export interface BeijingParts { readonly date: string; readonly weekday: number; readonly minutes: number }

/** Every request prices at "now": the parts of the last minute asked for are kept (they change once a minute). */
let lastMinute = NaN;
let lastParts: BeijingParts | undefined;

/** Beijing calendar date, weekday (0 = Sunday) and whole minutes since 00:00 Beijing of an instant. */
export function beijingParts(at: Date): BeijingParts {
  const local = checkInstant(at) + BEIJING_OFFSET_MS;
  const minute = Math.floor(local / MINUTE_MS);
  if (minute === lastMinute && lastParts) return lastParts;
  const day = Math.floor(local / DAY_MS);
  const msOfDay = local - day * DAY_MS;
  lastParts = Object.freeze({
    date: new Date(day * DAY_MS).toISOString().slice(0, 10),
    weekday: (((day + 4) % 7) + 7) % 7, // 1970-01-01 was a Thursday
    minutes: Math.floor(msOfDay / MINUTE_MS),
  });
  lastMinute = minute;
  return lastParts;
}

function dayReason(date: string, kind: DayKind): string {
  const info = holidayInfo(date);
  switch (kind) {
    case 'holiday':
      return `public holiday ${info?.zh ?? ''} (${info?.en ?? ''})`;
    case 'makeup-workday':
      return `make-up working day 调休上班 for ${info?.zh ?? ''} (${info?.en ?? ''})`;
    case 'weekend':
      return 'weekend';
    default:
      return 'working day';
  }
}

function calendarCaveat(date: string): string {
  const status = calendarStatus(date);
  if (status === 'uncovered') return `; holiday calendar does not cover ${date.slice(0, 4)}: weekday/weekend only`;
  if (status === 'projected') return `; ${date.slice(0, 4)} holiday calendar is projected, not the official notice`;
  return '';
}

/** The tariff of a schedule at an instant, with a human-readable reason (Beijing time). */
export function tariffAt(schedule: TariffScheduleId, at: Date): { name: TariffName; reason: string } {
  const { date, minutes } = beijingParts(at);
  const clock = `${date} ${hhmm(minutes)} Beijing`;
  switch (schedule) {
    case 'deepseek-night-2025': {
      const night = minutes >= NIGHT_WINDOW[0] && minutes < NIGHT_WINDOW[1];
      return night
        ? { name: 'night', reason: `${clock}: night discount window 00:30–08:30 Beijing` }
        : { name: 'standard', reason: `${clock}: outside the 00:30–08:30 Beijing night window` };
    }
    case 'deepseek-peak-2026': {
      const kind = dayKindInChina(date);
      const day = dayReason(date, kind) + calendarCaveat(date);
      if (kind === 'holiday' || kind === 'weekend') {
        return { name: 'off-peak', reason: `${clock}: ${day}, off-peak all day` };
      }
      const win = PEAK_WINDOWS.find(([s, e]) => minutes >= s && minutes < e);
      if (win) return { name: 'peak', reason: `${clock}: ${day}, peak window ${hhmm(win[0])}–${hhmm(win[1])}` };
      const lunch = minutes >= 720 && minutes < 840;
      return {
        name: 'off-peak',
        reason: `${clock}: ${day}, ${lunch ? 'lunch break 12:00–14:00' : 'outside 09:00–12:00 and 14:00–18:00'}`,
      };
    }
    default: {
      const never: never = schedule;
      throw new RangeError(`unknown tariff schedule ${String(never)}`);
    }
  }
}

/**
 * The first instant strictly after `at` at which the schedule's tariff differs from the tariff at `at`.
 * Throws when the tariff never changes within `horizonDays` (a schedule with no change at all).
 */
export function nextTariffChange(schedule: TariffScheduleId, at: Date, horizonDays = 400): Date {
  const atMs = checkInstant(at);
  const current = tariffAt(schedule, at).name;
  const boundaries = BOUNDARIES[schedule];
  if (!boundaries) throw new RangeError(`unknown tariff schedule ${String(schedule)}`);
  const firstDay = Math.floor((atMs + BEIJING_OFFSET_MS) / DAY_MS);
  for (let day = firstDay; day <= firstDay + horizonDays; day++) {
    const dayStartUtc = day * DAY_MS - BEIJING_OFFSET_MS;
    for (const minute of boundaries) {
      const t = dayStartUtc + minute * MINUTE_MS;
      if (t <= atMs) continue;
      const candidate = new Date(t);
      if (tariffAt(schedule, candidate).name !== current) return candidate;
    }
  }
  throw new RangeError(`${schedule}: tariff ${current} does not change within ${horizonDays} days of ${at.toISOString()}`);
}
