/**
 * Chinese public-holiday calendar (mainland, State Council arrangement) as data, for 2025–2027.
 *
 * Each year lists the days off (放假, including the weekend days folded into a break) and the official
 * make-up working days (调休上班: a Saturday or Sunday that is a working day). A year that the State Council
 * has not yet published is marked `status: 'projected'` and must be replaced by the notice when it appears.
 * Dates outside the covered years fall back to plain Monday–Friday / Saturday–Sunday; `isCovered` and
 * `calendarStatus` make that visible so callers can flag it (a silently stale table misprices a whole
 * Spring Festival).
 *
 * Maintenance: each November the State Council (国务院办公厅) publishes next year's 《关于N年部分节假日安排的通知》
 * (国办发明电〔N-1〕x号). Add the year below, with its source, and extend the tests.
 */

export type CalendarStatus = 'official' | 'projected';
export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup-workday';

export interface HolidaySource {
  /** Title of the State Council notice, or of the rules a projection is derived from. */
  readonly title: string;
  /** 国办发明电 number; absent for a projection. */
  readonly docNo?: string;
  /** Date the notice was issued (YYYY-MM-DD). */
  readonly published?: string;
  /** Where the text can be read (Xinhua full text as reprinted; the original is on www.gov.cn). */
  readonly url: string;
  readonly note?: string;
}

export interface HolidayBreak {
  readonly zh: string;
  readonly en: string;
  /** First and last day off, inclusive (YYYY-MM-DD, Beijing calendar). */
  readonly from: string;
  readonly to: string;
  /** Make-up working days (调休上班) the notice attaches to this break. */
  readonly makeup: readonly string[];
  readonly note?: string;
}

export interface HolidayYear {
  readonly year: number;
  readonly status: CalendarStatus;
  readonly source: HolidaySource;
  readonly breaks: readonly HolidayBreak[];
}

const LAW_2024 =
  '《全国年节及纪念日放假办法》(2024-11 修订, 自2025-01-01施行): 元旦1天, 春节4天(除夕、初一至初三), ' +
  '清明1天, 劳动节2天(5/1-5/2), 端午1天, 中秋1天, 国庆3天(10/1-10/3); and: 全体公民放假的假日适逢周六、周日, 应当在工作日补假.';

export const CHINA_HOLIDAY_CALENDAR: readonly HolidayYear[] = [
  {
    year: 2025,
    status: 'official',
    source: {
      title: '国务院办公厅关于2025年部分节假日安排的通知',
      docNo: '国办发明电〔2024〕12号',
      published: '2024-11-12',
      url: 'https://m.gmw.cn/2024-11/12/content_1303894933.htm',
      note: 'Xinhua full text (新华社北京11月12日电); original published on www.gov.cn (中国政府网). First year under the 2024 amendment (+除夕, +5月2日).',
    },
    breaks: [
      { zh: '元旦', en: "New Year's Day", from: '2025-01-01', to: '2025-01-01', makeup: [] },
      { zh: '春节', en: 'Spring Festival', from: '2025-01-28', to: '2025-02-04', makeup: ['2025-01-26', '2025-02-08'] },
      { zh: '清明节', en: 'Qingming Festival', from: '2025-04-04', to: '2025-04-06', makeup: [] },
      { zh: '劳动节', en: 'Labour Day', from: '2025-05-01', to: '2025-05-05', makeup: ['2025-04-27'] },
      { zh: '端午节', en: 'Dragon Boat Festival', from: '2025-05-31', to: '2025-06-02', makeup: [] },
      {
        zh: '国庆节、中秋节', en: 'National Day and Mid-Autumn Festival', from: '2025-10-01', to: '2025-10-08',
        makeup: ['2025-09-28', '2025-10-11'],
      },
    ],
  },
  {
    year: 2026,
    status: 'official',
    source: {
      title: '国务院办公厅关于2026年部分节假日安排的通知',
      docNo: '国办发明电〔2025〕7号',
      published: '2025-11-04',
      url: 'https://politics.gmw.cn/2025-11/04/content_38391083.htm',
      note: 'Xinhua full text (新华社北京11月4日电); original published on www.gov.cn (中国政府网).',
    },
    breaks: [
      { zh: '元旦', en: "New Year's Day", from: '2026-01-01', to: '2026-01-03', makeup: ['2026-01-04'] },
      { zh: '春节', en: 'Spring Festival', from: '2026-02-15', to: '2026-02-23', makeup: ['2026-02-14', '2026-02-28'] },
      { zh: '清明节', en: 'Qingming Festival', from: '2026-04-04', to: '2026-04-06', makeup: [] },
      { zh: '劳动节', en: 'Labour Day', from: '2026-05-01', to: '2026-05-05', makeup: ['2026-05-09'] },
      { zh: '端午节', en: 'Dragon Boat Festival', from: '2026-06-19', to: '2026-06-21', makeup: [] },
      { zh: '中秋节', en: 'Mid-Autumn Festival', from: '2026-09-25', to: '2026-09-27', makeup: [] },
      { zh: '国庆节', en: 'National Day', from: '2026-10-01', to: '2026-10-07', makeup: ['2026-09-20', '2026-10-10'] },
    ],
  },
  {
    year: 2027,
    status: 'projected',
    source: {
      title: 'Projection from 《全国年节及纪念日放假办法》 (2024 amendment); 国务院办公厅关于2027年部分节假日安排的通知 not found',
      url: 'https://www.gov.cn/zhengce/',
      note:
        `PROJECTED — replace with the State Council notice for 2027 when published (expected ~Nov 2026). ${LAW_2024} ` +
        'Lunar dates computed astronomically for Beijing (UTC+8): 春节 2027-02-06 (new moon 02-06 23:56, so 除夕 = 腊月廿九 02-05; ' +
        'note ICU/Intl\'s chinese calendar wrongly puts 初一 on 02-07), 清明 04-05 (solar term 08:16), 端午 06-09, 中秋 09-15. ' +
        'Substitute rest days (补假) are placed on the next working days; make-up working days (调休上班) are NOT invented, ' +
        'so the real notice will very likely add days off (e.g. 元旦 bridge, 8-day 春节, 5-day 劳动节, 7-day 国庆) and weekend working days.',
    },
    breaks: [
      { zh: '元旦', en: "New Year's Day", from: '2027-01-01', to: '2027-01-01', makeup: [] },
      {
        zh: '春节', en: 'Spring Festival', from: '2027-02-05', to: '2027-02-10', makeup: [],
        note: '除夕 02-05 (Fri), 初一–初三 02-06..08 (Sat–Mon); 02-06/07 fall on a weekend, so 补假 02-09, 02-10.',
      },
      { zh: '清明节', en: 'Qingming Festival', from: '2027-04-05', to: '2027-04-05', makeup: [] },
      {
        zh: '劳动节', en: 'Labour Day', from: '2027-05-01', to: '2027-05-04', makeup: [],
        note: '05-01/02 are Sat/Sun, so 补假 05-03, 05-04.',
      },
      { zh: '端午节', en: 'Dragon Boat Festival', from: '2027-06-09', to: '2027-06-09', makeup: [] },
      { zh: '中秋节', en: 'Mid-Autumn Festival', from: '2027-09-15', to: '2027-09-15', makeup: [] },
      {
        zh: '国庆节', en: 'National Day', from: '2027-10-01', to: '2027-10-05', makeup: [],
        note: '10-02/03 are Sat/Sun, so 补假 10-04, 10-05.',
      },
    ],
  },
];

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date; throws on a malformed or impossible date. */
export function epochDay(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new RangeError(`not a calendar date: ${date}`);
  }
  return ms / DAY_MS;
}

/** YYYY-MM-DD of a day count since 1970-01-01. */
export function dateOfEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, for a calendar date (no time zone involved). */
export function weekdayOf(date: string): number {
  return (((epochDay(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

interface DayInfo { readonly kind: 'holiday' | 'makeup-workday'; readonly brk: HolidayBreak; readonly year: HolidayYear }
const INDEX = new Map<string, DayInfo>();
for (const year of CHINA_HOLIDAY_CALENDAR) {
  for (const brk of year.breaks) {
    for (let d = epochDay(brk.from); d <= epochDay(brk.to); d++) INDEX.set(dateOfEpochDay(d), { kind: 'holiday', brk, year });
    for (const m of brk.makeup) INDEX.set(m, { kind: 'makeup-workday', brk, year });
  }
}
const YEARS = new Map(CHINA_HOLIDAY_CALENDAR.map((y) => [y.year, y] as const));

/** Whether the calendar holds data (official or projected) for this date's year. */
export function isCovered(date: string): boolean {
  epochDay(date);
  return YEARS.has(Number(date.slice(0, 4)));
}

/** 'official', 'projected', or 'uncovered' (plain weekday/weekend fallback) for this date's year. */
export function calendarStatus(date: string): CalendarStatus | 'uncovered' {
  epochDay(date);
  return YEARS.get(Number(date.slice(0, 4)))?.status ?? 'uncovered';
}

export function dayKindInChina(date: string): DayKind {
  const info = INDEX.get(date);
  if (info) return info.kind;
  const wd = weekdayOf(date);
  return wd === 0 || wd === 6 ? 'weekend' : 'workday';
}

export function isChinaWorkingDay(date: string): boolean {
  const kind = dayKindInChina(date);
  return kind === 'workday' || kind === 'makeup-workday';
}

/** The holiday break a day off or make-up working day belongs to, with its year's status and source. */
export function holidayInfo(date: string): { kind: 'holiday' | 'makeup-workday'; zh: string; en: string; status: CalendarStatus } | undefined {
  const info = INDEX.get(date);
  return info && { kind: info.kind, zh: info.brk.zh, en: info.brk.en, status: info.year.status };
}

export function holidayCalendarCoverage(): {
  from: string;
  to: string;
  years: Array<{ year: number; status: CalendarStatus; source: HolidaySource }>;
} {
  const years = [...CHINA_HOLIDAY_CALENDAR].sort((a, b) => a.year - b.year);
  const first = years[0], last = years[years.length - 1];
  if (!first || !last) throw new Error('holiday calendar is empty');
  return {
    from: `${first.year}-01-01`,
    to: `${last.year}-12-31`,
    years: years.map((y) => ({ year: y.year, status: y.status, source: y.source })),
  };
}
