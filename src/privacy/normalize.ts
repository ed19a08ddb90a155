/**
 * Scanning happens on a normalised copy of the text with the same UTF-16 length, so offsets found in it
 * are offsets in the original: full-width ASCII (U+FF01–FF5E) becomes ASCII, the ideographic space and
 * no-break spaces become a space. Each of these is one UTF-16 unit before and after.
 */
const foldable = /[\uff01-\uff5e\u3000\u00a0\u202f]/g;

export function normalizeForScan(text: string): string {
  return text.replace(foldable, (c) => {
    const code = c.charCodeAt(0);
    return code >= 0xff01 && code <= 0xff5e ? String.fromCharCode(code - 0xfee0) : ' ';
  });
}

/** Whether one of `words` (lower-case) ends within `before` characters before `start`, or begins within `after` after `end`. */
export function hasContext(
  text: string, start: number, end: number, words: readonly string[], before = 24, after = 0,
): boolean {
  const left = text.slice(Math.max(0, start - before), start).toLowerCase();
  for (const word of words) if (left.includes(word)) return true;
  if (after > 0) {
    const right = text.slice(end, end + after).toLowerCase();
    for (const word of words) if (right.includes(word)) return true;
  }
  return false;
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAsciiAlnum = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
