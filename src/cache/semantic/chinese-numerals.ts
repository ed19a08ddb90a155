/** Chinese numerals ("三", "两千五百", "一万零三", "二〇二四", "叁拾") to numbers. */

const DIGITS = new Map<string, number>([
  ['零', 0], ['〇', 0], ['一', 1], ['壹', 1], ['二', 2], ['贰', 2], ['两', 2], ['三', 3], ['叁', 3], ['四', 4], ['肆', 4],
  ['五', 5], ['伍', 5], ['六', 6], ['陆', 6], ['七', 7], ['柒', 7], ['八', 8], ['捌', 8], ['九', 9], ['玖', 9],
]);
const SMALL_UNITS = new Map<string, number>([['十', 10], ['拾', 10], ['百', 100], ['佰', 100], ['千', 1000], ['仟', 1000]]);
const LARGE_UNITS = new Map<string, number>([['万', 1e4], ['亿', 1e8]]);

export const isChineseNumeral = (ch: string): boolean => DIGITS.has(ch) || SMALL_UNITS.has(ch) || LARGE_UNITS.has(ch);
export const isChineseMultiplier = (ch: string): boolean => LARGE_UNITS.has(ch) || SMALL_UNITS.has(ch);
export const chineseMultiplier = (ch: string): number => LARGE_UNITS.get(ch) ?? SMALL_UNITS.get(ch) ?? 1;

/** Value of a run of numeral characters; a run of bare digits ("二〇二四") is read digit by digit. */
export function parseChineseNumeral(run: string): number {
  const chars = [...run];
  if (chars.length > 1 && chars.every((c) => DIGITS.has(c))) return Number(chars.map((c) => DIGITS.get(c)).join(''));
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const ch of chars) {
    const d = DIGITS.get(ch);
    if (d !== undefined) {
      digit = d;
      continue;
    }
    const small = SMALL_UNITS.get(ch);
    if (small !== undefined) {
      section += (digit === 0 ? 1 : digit) * small;
      digit = 0;
      continue;
    }
    const large = LARGE_UNITS.get(ch) ?? 1;
    total = large === 1e8 ? (total + section + digit) * large : total + (section + digit) * large;
    section = 0;
    digit = 0;
  }
  return total + section + digit;
}
