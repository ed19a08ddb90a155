/**
 * Formatting for the dashboard: money is CNY with fen precision (the API sends exact decimal strings in yuan,
 * rounded here half away from zero on the decimal digits, never through binary floating point), numbers and
 * dates per locale. Pure functions: the unit tests and the browser tests read the same rules.
 */

/** A decimal CNY string ("12.345678901", "-0.5") as integer fen, rounded half away from zero. */
export function fenFromCny(value: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return Number.NaN;
  const [, sign, whole, fraction = ''] = match;
  const digits = (fraction + '000').slice(0, 3);
  let fen = Number(whole) * 100 + Number(digits.slice(0, 2));
  if (Number(digits[2]) >= 5) fen += 1;
  return sign === '-' && fen !== 0 ? -fen : fen;
}

/** Intl wants its locale tags as BCP 47; the dashboard's languages are exactly these two. */
export type Locale = 'en' | 'zh-CN';
const intlLocale = (locale: Locale) => (locale === 'en' ? 'en-US' : 'zh-CN');

const moneyFormats = new Map<Locale, Intl.NumberFormat>();

/** ¥1,234.57 in either language (narrow symbol, so English shows ¥ rather than CN¥). */
export function formatMoney(value: string | null | undefined, locale: Locale): string {
  if (value === null || value === undefined) return '—';
  const fen = fenFromCny(value);
  if (!Number.isFinite(fen)) return '—';
  let format = moneyFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(intlLocale(locale), { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    moneyFormats.set(locale, format);
  }
  return format.format(fen / 100);
}

export function formatNumber(value: number | null | undefined, locale: Locale, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

/** A share 0–1 as a percentage with one decimal. */
export function formatPercent(share: number | null | undefined, locale: Locale, digits = 1): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '—';
  return new Intl.NumberFormat(intlLocale(locale), { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(share);
}

export function formatMs(value: number | null | undefined, locale: Locale): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${formatNumber(value, locale, value < 10 ? 1 : 0)} ms`;
}

/** An instant (ISO string or epoch ms) as date and time in the reporting time zone. */
export function formatDateTime(value: string | number | null | undefined, locale: Locale, timeZone: string): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(intlLocale(locale), { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(date);
}

/** Integer fen back into a decimal string, for sums computed in the page (exact: fen are integers). */
export function cnyFromFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
