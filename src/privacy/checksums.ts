/** Check digits and structural checks for Chinese identifiers (GB 11643, GB 32100) and Luhn. */

/** Province-level prefixes of GB/T 2260 plus 71 (Taiwan) and 81/82/83 (HK/MO/TW residence permits). */
const provinceCodes = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
  50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
]);

export function validRegionPrefix(code: string): boolean {
  return provinceCodes.has(Number(code.slice(0, 2)));
}

/** A real calendar date between 1900-01-01 and today (UTC). */
export function validBirthDate(year: number, month: number, day: number, today = new Date()): boolean {
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return false;
  return date.getTime() <= today.getTime();
}

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheckChars = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * idWeights[i]!;
  return idCheckChars[sum % 11]!;
}

/** 18-digit resident ID: region prefix, birth date, check character (lower-case x accepted). */
export function validResidentId18(id: string, today?: Date): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  if (!validRegionPrefix(id)) return false;
  if (!validBirthDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)), today)) return false;
  return idCheckChar(id) === id[17]!.toUpperCase();
}

/** Legacy 15-digit ID (no check digit): region prefix and a 19YY birth date. */
export function validResidentId15(id: string): boolean {
  if (!/^\d{15}$/.test(id) || !validRegionPrefix(id)) return false;
  return validBirthDate(1900 + Number(id.slice(6, 8)), Number(id.slice(8, 10)), Number(id.slice(10, 12)));
}

/** GB 32100 character set: digits and upper-case letters without I, O, S, V, Z. */
export const usccAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = usccAlphabet.indexOf(first17[i]!);
    if (value < 0) return undefined;
    sum += value * usccWeights[i]!;
  }
  return usccAlphabet[(31 - (sum % 31)) % 31];
}

/** Unified social credit code: 18 characters, digits in the 6-digit admin code, GB 32100 check character. */
export function validUscc(code: string): boolean {
  if (code.length !== 18 || !/^\d{6}$/.test(code.slice(2, 8))) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}

/** Luhn over a digit string (separators removed by the caller). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** The digit that makes `partial + digit` Luhn-valid (for generators and tests). */
export function luhnCheckDigit(partial: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(partial + String(d))) return String(d);
  throw new Error('unreachable');
}

/** GB 11714 organisation-code check (characters 9–17 of a USCC): weights 3 7 9 10 5 8 4 2, mod 11. */
export function validOrgCode(code9: string): boolean {
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = code9.charCodeAt(i);
    const value = c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 90 ? c - 55 : -1;
    if (value < 0) return false;
    sum += value * weights[i]!;
  }
  const check = 11 - (sum % 11);
  return code9[8] === (check === 10 ? 'X' : check === 11 ? '0' : String(check));
}
