import { describe, expect, it } from 'vitest';
import { cnyFromFen, fenFromCny, formatMoney, formatPercent } from '../../ui/src/format.js';
import { resolveRange, rangeFromSearch, rangeToSearch, today } from '../../ui/src/range.js';

describe('dashboard money and numbers', () => {
  it('rounds exact CNY decimal strings to fen, half away from zero, without floating point', () => {
    expect(fenFromCny('0')).toBe(0);
    expect(fenFromCny('12.345')).toBe(1235);
    expect(fenFromCny('12.344999999')).toBe(1234);
    expect(fenFromCny('-0.005')).toBe(-1);
    expect(fenFromCny('-0.004')).toBe(0);
    expect(fenFromCny('90071992547409.91')).toBe(9_007_199_254_740_991);
    expect(fenFromCny('1.1')).toBe(110);
    expect(Number.isNaN(fenFromCny('1e3'))).toBe(true);
    expect(cnyFromFen(-1)).toBe('-0.01');
    expect(cnyFromFen(123456)).toBe('1234.56');
  });

  it('shows money as ¥ with two decimals in both languages', () => {
    expect(formatMoney('1234.565', 'en')).toBe('¥1,234.57');
    expect(formatMoney('1234.565', 'zh-CN')).toBe('¥1,234.57');
    expect(formatMoney('0', 'en')).toBe('¥0.00');
    expect(formatMoney('-3.2', 'en')).toBe('-¥3.20');
    expect(formatMoney(null, 'en')).toBe('—');
    expect(formatPercent(0.6484, 'zh-CN')).toBe('64.8%');
  });
});

describe('dashboard date ranges', () => {
  // 2026-11-28 20:30 UTC is already 29 Nov in Beijing.
  const now = Date.parse('2026-11-28T20:30:00Z');

  it('ends preset ranges today in the reporting time zone, with an exclusive end day', () => {
    expect(today('Asia/Shanghai', now)).toBe('2026-11-29');
    expect(today('UTC', now)).toBe('2026-11-28');
    expect(resolveRange({ kind: 'preset', days: 7 }, 'Asia/Shanghai', now)).toEqual({ from: '2026-11-23', to: '2026-11-30', last: '2026-11-29' });
    expect(resolveRange({ kind: 'custom', from: '2026-02-01', to: '2026-02-28' }, 'UTC', now)).toEqual({ from: '2026-02-01', to: '2026-03-01', last: '2026-02-28' });
  });

  it('keeps the range in the URL and ignores nonsense there', () => {
    expect(rangeFromSearch(new URLSearchParams('range=90'))).toEqual({ kind: 'preset', days: 90 });
    expect(rangeFromSearch(new URLSearchParams('range=12'))).toEqual({ kind: 'preset', days: 30 });
    expect(rangeFromSearch(new URLSearchParams('from=2026-02-30&to=2026-03-02'))).toEqual({ kind: 'preset', days: 30 });
    expect(rangeFromSearch(new URLSearchParams('from=2026-03-05&to=2026-03-02'))).toEqual({ kind: 'preset', days: 30 });
    expect(rangeToSearch({ kind: 'custom', from: '2026-03-01', to: '2026-03-02' }, new URLSearchParams('range=7&group=key')).toString()).toBe('group=key&from=2026-03-01&to=2026-03-02');
  });
});
