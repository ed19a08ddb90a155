import { describe, it, expect } from 'vitest';
import {
  CHINA_HOLIDAY_CALENDAR,
  calendarStatus,
  dayKindInChina,
  holidayCalendarCoverage,
  holidayInfo,
  isChinaWorkingDay,
  isCovered,
  weekdayOf,
} from '../../src/pricing/china-holidays.js';

/** Inclusive list of dates between two YYYY-MM-DD dates. */
function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

// Written out from the notices' text, independently of the data table.
const NOTICES: Record<number, { off: string[]; makeup: string[] }> = {
  // 国办发明电〔2024〕12号, 2024-11-12
  2025: {
    off: [
      '2025-01-01',
      ...range('2025-01-28', '2025-02-04'),
      ...range('2025-04-04', '2025-04-06'),
      ...range('2025-05-01', '2025-05-05'),
      ...range('2025-05-31', '2025-06-02'),
      ...range('2025-10-01', '2025-10-08'),
    ],
    makeup: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  // 国办发明电〔2025〕7号, 2025-11-04
  2026: {
    off: [
      ...range('2026-01-01', '2026-01-03'),
      ...range('2026-02-15', '2026-02-23'),
      ...range('2026-04-04', '2026-04-06'),
      ...range('2026-05-01', '2026-05-05'),
      ...range('2026-06-19', '2026-06-21'),
      ...range('2026-09-25', '2026-09-27'),
      ...range('2026-10-01', '2026-10-07'),
    ],
    makeup: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

describe('official notices 2025 and 2026', () => {
  for (const year of [2025, 2026] as const) {
    const notice = NOTICES[year]!;
    it(`${year}: every day off is a holiday and not a working day`, () => {
      for (const d of notice.off) {
        expect(dayKindInChina(d), d).toBe('holiday');
        expect(isChinaWorkingDay(d), d).toBe(false);
      }
    });
    it(`${year}: every make-up day is a weekend that is worked`, () => {
      for (const d of notice.makeup) {
        expect([0, 6], d).toContain(weekdayOf(d));
        expect(dayKindInChina(d), d).toBe('makeup-workday');
        expect(isChinaWorkingDay(d), d).toBe(true);
      }
    });
    it(`${year}: no other day of the year deviates from Mon–Fri / Sat–Sun`, () => {
      const off = new Set(notice.off), makeup = new Set(notice.makeup);
      for (const d of range(`${year}-01-01`, `${year}-12-31`)) {
        if (off.has(d) || makeup.has(d)) continue;
        const wd = weekdayOf(d);
        expect(dayKindInChina(d), d).toBe(wd === 0 || wd === 6 ? 'weekend' : 'workday');
      }
    });
  }

  it('counts match the notices (2025: 28 days off + 5 make-up; 2026: 33 + 6)', () => {
    expect(NOTICES[2025]!.off).toHaveLength(28);
    expect(NOTICES[2026]!.off).toHaveLength(33);
    const count = (y: number) => CHINA_HOLIDAY_CALENDAR.find((c) => c.year === y)!.breaks.flatMap((b) => b.makeup).length;
    expect(count(2025)).toBe(5);
    expect(count(2026)).toBe(6);
  });

  it('weekdays stated in the notices agree with the calendar', () => {
    expect(weekdayOf('2025-01-28')).toBe(2); // 农历除夕、周二
    expect(weekdayOf('2025-10-01')).toBe(3); // 周三
    expect(weekdayOf('2026-02-15')).toBe(0); // 腊月二十八、周日
    expect(weekdayOf('2026-10-01')).toBe(4); // 周四
    expect(weekdayOf('2026-10-10')).toBe(6); // 周六 上班
  });

  it('names the break a day belongs to', () => {
    expect(holidayInfo('2026-02-16')).toMatchObject({ kind: 'holiday', zh: '春节', en: 'Spring Festival', status: 'official' });
    expect(holidayInfo('2026-09-20')).toMatchObject({ kind: 'makeup-workday', zh: '国庆节' });
    expect(holidayInfo('2026-03-02')).toBeUndefined();
  });
});

describe('data integrity', () => {
  it('breaks do not overlap, stay in their year, and make-up days are weekends outside breaks', () => {
    for (const y of CHINA_HOLIDAY_CALENDAR) {
      const seen = new Set<string>();
      for (const b of y.breaks) {
        expect(b.from <= b.to, b.zh).toBe(true);
        for (const d of range(b.from, b.to)) {
          expect(d.startsWith(`${y.year}-`), d).toBe(true);
          expect(seen.has(d), d).toBe(false);
          seen.add(d);
        }
      }
      for (const d of y.breaks.flatMap((b) => b.makeup)) {
        expect(seen.has(d), d).toBe(false);
        expect([0, 6], d).toContain(weekdayOf(d));
      }
    }
  });

  it('official years carry the State Council notice number, date and URL', () => {
    for (const y of CHINA_HOLIDAY_CALENDAR.filter((c) => c.status === 'official')) {
      expect(y.source.docNo).toMatch(/^国办发明电〔\d{4}〕\d+号$/);
      expect(y.source.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(y.source.url).toMatch(/^https:\/\//);
    }
  });
});

describe('2027 projection', () => {
  it('is marked projected and invents no make-up working days', () => {
    const y = CHINA_HOLIDAY_CALENDAR.find((c) => c.year === 2027)!;
    expect(y.status).toBe('projected');
    expect(y.source.note).toMatch(/replace/i);
    expect(y.breaks.flatMap((b) => b.makeup)).toEqual([]);
    expect(calendarStatus('2027-02-05')).toBe('projected');
  });
  it('has the statutory days on the 2027 lunar dates, with weekend substitutes', () => {
    for (const d of ['2027-01-01', '2027-02-05', '2027-02-08', '2027-02-09', '2027-02-10', '2027-04-05',
      '2027-05-03', '2027-05-04', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-04', '2027-10-05']) {
      expect(dayKindInChina(d), d).toBe('holiday');
    }
    expect(dayKindInChina('2027-02-11')).toBe('workday');
    expect(dayKindInChina('2027-01-04')).toBe('workday');
  });
});

describe('coverage and fallback', () => {
  it('reports the covered span and each year with its status and source', () => {
    const c = holidayCalendarCoverage();
    expect(c.from).toBe('2025-01-01');
    expect(c.to).toBe('2027-12-31');
    expect(c.years.map((y) => [y.year, y.status])).toEqual([
      [2025, 'official'],
      [2026, 'official'],
      [2027, 'projected'],
    ]);
    expect(c.years[0]!.source.docNo).toBe('国办发明电〔2024〕12号');
    expect(c.years[1]!.source.docNo).toBe('国办发明电〔2025〕7号');
  });
  it('outside the covered years, falls back to weekday/weekend and says so', () => {
    expect(isCovered('2026-06-01')).toBe(true);
    expect(isCovered('2024-10-01')).toBe(false);
    expect(isCovered('2028-01-31')).toBe(false);
    expect(calendarStatus('2028-01-31')).toBe('uncovered');
    expect(dayKindInChina('2024-10-01')).toBe('workday'); // National Day 2024, but not in the data
    expect(dayKindInChina('2028-01-01')).toBe('weekend');
  });
  it('rejects malformed dates', () => {
    expect(() => dayKindInChina('2026-2-1')).toThrow(RangeError);
    expect(() => isCovered('2026-02-30')).toThrow(RangeError);
  });
});
