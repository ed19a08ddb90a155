import { parseChineseNumeral } from '../../cache/semantic/chinese-numerals.js';

/*
 * Reading "the" number out of a grader's answer, in Chinese or English: "85", "Score: 85/100",
 * "**Grade:** 92.5", "得分：85分", "我给这篇作文打八十五分", "总分 九十二点五". Numbers after a score label win
 * (the last one, since a judge's final score comes last), then numbers marked as points ("85分",
 * "85/100", "85 points"; the first one), then the first number. A denominator ("/100", "out of 100",
 * "满分100") is never the answer, and Chinese numerals count only where they are marked as a score,
 * because "十分" also means "very" and "一" is in every other sentence.
 */

export type NumberSource = 'labelled' | 'points' | 'only' | 'first';

export interface ExtractedNumber {
  readonly value: number;
  readonly source: NumberSource;
  /** The text the number was read from, e.g. "八十五". */
  readonly text: string;
}

const TOKEN = /(?<arabic>(?<![\d.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|-?\d+(?:\.\d+)?)|(?<chinese>[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?)/gu;
const LABEL = /(?:\b(?:scores?|scored|grades?|graded|marks?|rating|rated|total)|分数|得分|评分|打分|成绩|总分|总计|合计|给分|分值|打)/giu;
// Between a label and its number: a few characters, no digit and no end of sentence.
const LABEL_GAP = /^[^\d。.!?！？\n]{0,8}$/u;
const DENOMINATOR_BEFORE = /(?:\/|out of|满分|总分为?满分)\s*$/iu;
const POINTS_AFTER = /^\s*(?:分|points?\b|pts?\b|\/\s*\d+|out of\s*\d+)/iu;

function chineseValue(run: string): number {
  const [whole = '', fraction] = run.split('点');
  const integer = whole === '' ? 0 : parseChineseNumeral(whole);
  if (fraction === undefined) return integer;
  const digits = Array.from(fraction).map((ch) => parseChineseNumeral(ch)).join('');
  return Number(`${integer}.${digits}`);
}

/** Every number-looking token with how strongly it is marked as the score. */
function candidates(text: string): Array<{ value: number; text: string; labelled: boolean; points: boolean }> {
  const labelEnds: number[] = [];
  for (const match of text.matchAll(LABEL)) labelEnds.push(match.index + match[0].length);
  const found: Array<{ value: number; text: string; labelled: boolean; points: boolean }> = [];
  for (const match of text.matchAll(TOKEN)) {
    const start = match.index;
    const token = match[0];
    const before = text.slice(Math.max(0, start - 12), start);
    if (DENOMINATOR_BEFORE.test(before)) continue;
    const labelled = labelEnds.some((end) => end <= start && LABEL_GAP.test(text.slice(end, start)));
    const after = text.slice(start + token.length, start + token.length + 12);
    const chinese = match.groups?.['chinese'] !== undefined;
    // "十分" (very) is not ten points unless a label says so.
    const points = POINTS_AFTER.test(after) && !(chinese && token === '十' && after.startsWith('分'));
    if (chinese && !labelled && !points) continue;
    const value = chinese ? chineseValue(token) : Number(token.replace(/,/g, ''));
    if (Number.isFinite(value)) found.push({ value, text: token, labelled, points });
  }
  return found;
}

/** The score a text states, or undefined when it states no number. */
export function extractNumber(raw: string): ExtractedNumber | undefined {
  // NFKC turns full-width digits and colons (８５，：) into ASCII; markdown emphasis is dropped.
  const text = raw.normalize('NFKC').replace(/[*_`]+/g, '');
  const found = candidates(text);
  const labelled = found.filter((item) => item.labelled);
  const last = labelled.at(-1);
  if (last) return { value: last.value, source: 'labelled', text: last.text };
  const points = found.find((item) => item.points);
  if (points) return { value: points.value, source: 'points', text: points.text };
  const first = found[0];
  if (first) return { value: first.value, source: found.length === 1 ? 'only' : 'first', text: first.text };
  return undefined;
}
