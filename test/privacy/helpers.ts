/** Seeded generators of checksum-valid (and deliberately invalid) identifiers for the privacy tests. */
import { idCheckChar, luhnCheckDigit, usccAlphabet, usccCheckChar } from '../../src/privacy/checksums.js';

export type Random = () => number;

/** mulberry32: small, fast, deterministic. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
export const digits = (r: Random, n: number): string => Array.from({ length: n }, () => String(int(r, 0, 9))).join('');
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65];

export function residentId(r: Random): string {
  const year = int(r, 1940, 2015);
  const month = int(r, 1, 12);
  const day = int(r, 1, 28);
  const first17 = `${pick(r, provinces)}${digits(r, 4)}${year}${pad(month, 2)}${pad(day, 2)}${digits(r, 3)}`;
  return first17 + idCheckChar(first17);
}

/** Same structure, wrong check character. */
export function badResidentId(r: Random): string {
  const id = residentId(r);
  const wrong = '0123456789X'.replace(id[17]!, '');
  return id.slice(0, 17) + pick(r, wrong.split(''));
}

export function orgCode(r: Random): string {
  const body = Array.from({ length: 8 }, () => pick(r, '0123456789ABCDEFGHJKLMNPQRTUWXY'.split(''))).join('');
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body.charCodeAt(i);
    sum += (c <= 57 ? c - 48 : c - 55) * weights[i]!;
  }
  const check = 11 - (sum % 11);
  return body + (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}

export function uscc(r: Random): string {
  const first17 = `${pick(r, ['91', '92', '93', '12', '52', '11'])}${pick(r, provinces)}${digits(r, 4)}${orgCode(r)}`;
  return first17 + usccCheckChar(first17)!;
}

export function badUscc(r: Random): string {
  const code = uscc(r);
  return code.slice(0, 17) + pick(r, usccAlphabet.replace(code[17]!, '').split(''));
}

export function unionPayCard(r: Random, length = pick(r, [16, 19])): string {
  const partial = `62${pick(r, ['2202', '2848', '1700', '1483', '2588', '2262'])}${digits(r, length - 7)}`;
  return partial + luhnCheckDigit(partial);
}

export function mobile(r: Random): string {
  return pick(r, ['130', '135', '138', '139', '147', '150', '152', '158', '166', '173', '177', '180', '186', '189', '191', '199']) + digits(r, 8);
}

export const toFullWidth = (s: string): string => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
