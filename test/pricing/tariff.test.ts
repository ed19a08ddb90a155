import { afterEach, describe, it, expect } from 'vitest';
import { beijingParts, nextTariffChange, tariffAt, type TariffScheduleId } from '../../src/pricing/tariff.js';

/** An instant given as Beijing wall-clock time. */
const bj = (local: string): Date => new Date(`${local}+08:00`);
const peak = (at: Date) => tariffAt('deepseek-peak-2026', at).name;
const night = (at: Date) => tariffAt('deepseek-night-2025', at).name;

describe('beijingParts', () => {
  it('converts UTC instants to Beijing date, weekday and minutes', () => {
    expect(beijingParts(new Date('2026-09-07T02:00:00Z'))).toEqual({ date: '2026-09-07', weekday: 1, minutes: 600 });
    expect(beijingParts(new Date('2026-09-06T16:00:00Z'))).toEqual({ date: '2026-09-07', weekday: 1, minutes: 0 });
    expect(beijingParts(new Date('2026-09-06T15:59:59.999Z'))).toEqual({ date: '2026-09-06', weekday: 0, minutes: 1439 });
    expect(beijingParts(new Date('1969-12-31T16:00:00Z'))).toEqual({ date: '1970-01-01', weekday: 4, minutes: 0 });
  });
  it('rejects an invalid Date', () => {
    expect(() => beijingParts(new Date('nope'))).toThrow(RangeError);
  });
});

describe('deepseek-peak-2026 on a working day (Mon 2026-09-07)', () => {
  it('10:00 is peak, 12:30 off-peak (lunch), 18:00 off-peak', () => {
    expect(peak(bj('2026-09-07T10:00:00'))).toBe('peak');
    expect(tariffAt('deepseek-peak-2026', bj('2026-09-07T12:30:00')).reason).toMatch(/lunch/);
    expect(peak(bj('2026-09-07T12:30:00'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T18:00:00'))).toBe('off-peak');
  });
  it('window edges: start inclusive, end exclusive', () => {
    expect(peak(bj('2026-09-07T08:59:59.999'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T08:59:00'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T09:00:00'))).toBe('peak');
    expect(peak(bj('2026-09-07T11:59:59'))).toBe('peak');
    expect(peak(bj('2026-09-07T12:00:00'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T13:59:59'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T14:00:00'))).toBe('peak');
    expect(peak(bj('2026-09-07T17:59:59'))).toBe('peak');
    expect(peak(bj('2026-09-07T18:00:00'))).toBe('off-peak');
    expect(peak(bj('2026-09-07T03:00:00'))).toBe('off-peak');
  });
});

describe('deepseek-peak-2026 weekends, holidays and make-up days', () => {
  it('a plain Saturday is off-peak all day', () => {
    expect(peak(bj('2026-09-12T10:00:00'))).toBe('off-peak');
    expect(tariffAt('deepseek-peak-2026', bj('2026-09-12T10:00:00')).reason).toMatch(/weekend/);
  });
  it('National Day 2026-10-01 (Thursday) is off-peak', () => {
    const t = tariffAt('deepseek-peak-2026', bj('2026-10-01T10:00:00'));
    expect(t.name).toBe('off-peak');
    expect(t.reason).toMatch(/国庆节/);
  });
  it('make-up Saturday 2026-10-10 and 2026-02-14 are peak at 10:00', () => {
    const t = tariffAt('deepseek-peak-2026', bj('2026-10-10T10:00:00'));
    expect(t.name).toBe('peak');
    expect(t.reason).toMatch(/调休上班/);
    expect(peak(bj('2026-02-14T10:00:00'))).toBe('peak');
    expect(peak(bj('2026-02-14T12:30:00'))).toBe('off-peak');
  });
  it('Spring Festival Monday 2026-02-16 is off-peak', () => {
    expect(peak(bj('2026-02-16T10:00:00'))).toBe('off-peak');
  });
  it('flags dates whose holiday calendar is projected or missing', () => {
    expect(tariffAt('deepseek-peak-2026', bj('2027-02-09T10:00:00'))).toMatchObject({ name: 'off-peak' });
    expect(tariffAt('deepseek-peak-2026', bj('2027-02-09T10:00:00')).reason).toMatch(/projected/);
    const t = tariffAt('deepseek-peak-2026', bj('2028-03-06T10:00:00'));
    expect(t.name).toBe('peak');
    expect(t.reason).toMatch(/does not cover 2028/);
  });
});

describe('time-zone independence', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });
  it('2026-09-07T02:00:00Z is 10:00 Beijing Monday (peak) whatever process.env.TZ is', () => {
    const offsets = new Set<number>();
    for (const tz of ['UTC', 'Asia/Shanghai', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Kiritimati']) {
      process.env.TZ = tz;
      const at = new Date('2026-09-07T02:00:00Z');
      offsets.add(at.getTimezoneOffset());
      expect(beijingParts(at), tz).toEqual({ date: '2026-09-07', weekday: 1, minutes: 600 });
      expect(peak(at), tz).toBe('peak');
      expect(night(new Date('2025-03-03T16:30:00Z')), tz).toBe('night');
      expect(nextTariffChange('deepseek-peak-2026', at).toISOString(), tz).toBe('2026-09-07T04:00:00.000Z');
    }
    expect(offsets.size).toBeGreaterThan(1); // the TZ switch really took effect
  });
});

describe('deepseek-night-2025', () => {
  it('00:30 inclusive to 08:30 exclusive Beijing, across UTC midnight', () => {
    expect(night(new Date('2025-03-03T16:29:59.999Z'))).toBe('standard'); // 00:29:59 Beijing
    expect(night(new Date('2025-03-03T16:30:00Z'))).toBe('night'); // 00:30 Beijing 03-04
    expect(night(new Date('2025-03-03T23:59:59Z'))).toBe('night');
    expect(night(new Date('2025-03-04T00:00:00Z'))).toBe('night'); // 08:00 Beijing
    expect(night(new Date('2025-03-04T00:29:59Z'))).toBe('night');
    expect(night(new Date('2025-03-04T00:30:00Z'))).toBe('standard'); // 08:30 Beijing
    expect(night(bj('2025-03-08T03:00:00'))).toBe('night'); // every day, weekends included
    expect(night(bj('2025-03-04T00:00:00'))).toBe('standard');
  });
});

describe('nextTariffChange', () => {
  const next = (s: TariffScheduleId, local: string) => nextTariffChange(s, bj(local)).toISOString();
  it('peak schedule within a working day', () => {
    expect(next('deepseek-peak-2026', '2026-09-07T08:00:00')).toBe(bj('2026-09-07T09:00:00').toISOString());
    expect(next('deepseek-peak-2026', '2026-09-07T09:00:00')).toBe(bj('2026-09-07T12:00:00').toISOString());
    expect(next('deepseek-peak-2026', '2026-09-07T12:30:00')).toBe(bj('2026-09-07T14:00:00').toISOString());
    expect(next('deepseek-peak-2026', '2026-09-07T15:00:00')).toBe(bj('2026-09-07T18:00:00').toISOString());
  });
  it('skips weekends and holidays, and stops on make-up days', () => {
    expect(next('deepseek-peak-2026', '2026-09-11T18:00:00')).toBe(bj('2026-09-14T09:00:00').toISOString()); // Fri → Mon
    expect(next('deepseek-peak-2026', '2026-09-30T18:00:00')).toBe(bj('2026-10-08T09:00:00').toISOString()); // National Day
    expect(next('deepseek-peak-2026', '2026-10-09T18:00:00')).toBe(bj('2026-10-10T09:00:00').toISOString()); // make-up Sat
    expect(next('deepseek-peak-2026', '2026-02-13T20:00:00')).toBe(bj('2026-02-14T09:00:00').toISOString());
    expect(next('deepseek-peak-2026', '2026-02-14T18:00:00')).toBe(bj('2026-02-24T09:00:00').toISOString()); // Spring Festival
  });
  it('night schedule', () => {
    expect(next('deepseek-night-2025', '2025-03-04T00:00:00')).toBe(bj('2025-03-04T00:30:00').toISOString());
    expect(next('deepseek-night-2025', '2025-03-04T00:30:00')).toBe(bj('2025-03-04T08:30:00').toISOString());
    expect(next('deepseek-night-2025', '2025-03-04T08:30:00')).toBe(bj('2025-03-05T00:30:00').toISOString());
    expect(nextTariffChange('deepseek-night-2025', new Date('2025-03-03T16:29:00Z')).toISOString()).toBe('2025-03-03T16:30:00.000Z');
  });
  it('the returned instant really changes the tariff and nothing changes before it', () => {
    for (const s of ['deepseek-night-2025', 'deepseek-peak-2026'] as const) {
      let at = bj('2026-09-24T07:13:00');
      for (let i = 0; i < 30; i++) {
        const change = nextTariffChange(s, at);
        const before = tariffAt(s, at).name;
        expect(change.getTime()).toBeGreaterThan(at.getTime());
        expect(tariffAt(s, change).name).not.toBe(before);
        for (let t = at.getTime(); t < change.getTime(); t += 15 * 60_000) expect(tariffAt(s, new Date(t)).name).toBe(before);
        expect(tariffAt(s, new Date(change.getTime() - 1)).name).toBe(before);
        at = change;
      }
    }
  });
});
