/**
 * What a query says that a similarity score can miss: negations, numbers, dates, units, comparisons, question
 * words, names and content words, in Chinese and English without word segmentation. guards.ts compares two of these.
 */
import { chineseMultiplier, isChineseMultiplier, isChineseNumeral, parseChineseNumeral } from './chinese-numerals.js';
import * as L from './lexicon.js';

export interface QueryFeatures {
  negations: number;
  numbers: string[];
  dates: string[];
  units: string[];
  comparisons: string[];
  questions: string[];
  /** Third-person pronouns (he, she, they). */
  pronouns: string[];
  /** past / future markers. */
  tenses: string[];
  /** Names, quoted strings and code identifiers (lower case). */
  entities: string[];
  /** The lower-cased text, to tell a name missing from the other query from one merely written in lower case. */
  text: string;
  /** Content words (stemmed English, Chinese characters or lexicon words) as a sorted set. */
  content: string[];
  /** Content units and numbers in first-occurrence order. */
  order: string[];
  /** Whether the query has a word around which order matters ("to", "than", "比", "到"). */
  orderMatters: boolean;
  /** Adjacent Chinese characters touching a content character ("故事", "会议"), to tell "故事" from "事故". */
  adjacent: string[];
}

type ZhKind = 'stop' | 'content' | 'neg' | 'date' | 'unit' | 'cmp' | 'q' | 'marker' | 'vague' | 'pronoun' | 'person' | 'tense';
type Token =
  | { t: 'word'; v: string }
  | { t: 'num'; v: number }
  | { t: 'zh'; kind: ZhKind; v: string }
  | { t: 'unit'; v: string };

const ZH_DICT = new Map<string, { kind: ZhKind; v: string }>();
const addZh = (kind: ZhKind, entries: Iterable<[string, string]> | string[]) => {
  for (const e of entries) {
    const [w, v] = typeof e === 'string' ? [e, e] : e;
    ZH_DICT.set(w, { kind, v });
  }
};
addZh('content', L.ZH_NOT_NUMERALS);
addZh('content', L.ZH_NOT_NEGATIONS);
addZh('content', L.ZH_SYNONYMS);
addZh('stop', L.ZH_STOPWORDS);
addZh('stop', ['十分']);
addZh('marker', L.ZH_ORDER_MARKERS);
addZh('vague', [...L.VAGUE_QUANTITIES].filter(([w]) => L.isCjk(w[0] ?? '')));
addZh('unit', [...L.ZH_UNITS].filter(([w]) => L.ZH_UNITS_STANDALONE.includes(w)));
addZh('tense', L.ZH_TENSES);
addZh('pronoun', L.ZH_PRONOUNS);
addZh('person', L.ZH_PERSONS);
addZh('cmp', L.ZH_COMPARISONS);
addZh('q', L.ZH_QUESTIONS);
addZh('date', L.ZH_DATES);
addZh('neg', L.ZH_NEGATIONS);
const ZH_MAX = Math.max(...[...ZH_DICT.keys(), ...L.ZH_UNITS.keys()].map((w) => w.length));

const longest = (text: string, at: number, dict: Map<string, unknown>): string | undefined => {
  for (let n = Math.min(ZH_MAX, text.length - at); n > 0; n--) {
    const w = text.slice(at, at + n);
    if (dict.has(w)) return w;
  }
  return undefined;
};

const QUOTED = /"([^"]{1,120})"|“([^”]{1,120})”|「([^」]{1,120})」|『([^』]{1,120})』|《([^》]{1,120})》|`([^`]{1,120})`/g;
const IDENTIFIER = /\b[A-Za-z_$][\w$]*(?:[._][\w$]+)+\b|\b[a-z]+[A-Z][\w]*\b|\b\w+\(\)/g;
const LATIN_WORD = /(?<![A-Za-z0-9])[A-Za-z0-9]*[A-Za-z][A-Za-z0-9'-]*/g;

function entitiesOf(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(QUOTED)) found.push((m.slice(1).find((g) => g !== undefined) ?? '').trim().toLowerCase());
  for (const m of text.matchAll(IDENTIFIER)) found.push(m[0].toLowerCase());
  for (const m of text.matchAll(LATIN_WORD)) {
    const w = m[0];
    if (!/[A-Z]/.test(w) || w === 'I' || /^I'/.test(w)) continue;
    const before = text.slice(0, m.index).trimEnd();
    const initial = before === '' || /[.!?。！？:\n"“(（]$/.test(before);
    const mixed = /[A-Z]/.test(w.slice(1)) || /\d/.test(w);
    if (initial && !mixed) continue;
    const lower = w.toLowerCase().replace(/'s$/, '');
    if (!mixed && L.EN_STOPWORDS.has(lower)) continue;
    found.push(lower);
  }
  return [...new Set(found)].sort();
}

/** Splits lower-cased text into numbers, English words and classified Chinese pieces. */
function scan(text: string): Token[] {
  const out: Token[] = [];
  const unitAt = (at: number): number => {
    const rest = text.slice(at);
    const space = /^ ?/.exec(rest)?.[0].length ?? 0;
    const en = /^(?:°[cf]|[a-z]+\.?[a-z]*|[%$€£¥])/.exec(rest.slice(space))?.[0];
    const meridiem = en?.replace('.', '');
    const enUnit = en === undefined ? undefined : L.EN_UNITS.get(en) ?? (meridiem === 'am' || meridiem === 'pm' ? meridiem : undefined);
    if (en !== undefined && enUnit !== undefined) {
      out.push(enUnit === 'am' || enUnit === 'pm' ? { t: 'zh', kind: 'date', v: enUnit } : { t: 'unit', v: enUnit });
      return space + en.length;
    }
    const zh = longest(text, at, L.ZH_UNITS);
    if (zh !== undefined) out.push({ t: 'unit', v: L.ZH_UNITS.get(zh) ?? zh });
    return zh?.length ?? 0;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    const rest = text.slice(i);
    const digits = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?|^\d+(?:\.\d+)?/.exec(rest)?.[0];
    if (digits !== undefined) {
      let value = Number(digits.replaceAll(',', ''));
      i += digits.length;
      const next = text[i] ?? '';
      if (isChineseMultiplier(next) && longest(text, i, L.ZH_UNITS) === undefined) {
        value *= chineseMultiplier(next);
        i += 1;
      }
      out.push({ t: 'num', v: value });
      i += /^(?:st|nd|rd|th)\b/.exec(text.slice(i))?.[0].length ?? 0;
      i += unitAt(i);
      continue;
    }
    if (/[a-z]/.test(ch)) {
      const word = /^[a-z]+(?:'[a-z]+)*/.exec(rest)?.[0] ?? ch;
      for (const part of word.split('-')) out.push({ t: 'word', v: part });
      i += word.length;
      continue;
    }
    if (L.isCjk(ch)) {
      const weekday = L.ZH_WEEKDAY_PREFIXES.find((p) => rest.startsWith(p) && L.ZH_WEEKDAY_DAYS.has(rest[p.length] ?? ''));
      if (weekday !== undefined) {
        out.push({ t: 'zh', kind: 'date', v: L.ZH_WEEKDAY_DAYS.get(rest[weekday.length] ?? '') ?? '' });
        i += weekday.length + 1;
        continue;
      }
      const percent = rest.startsWith('百分之') ? 3 : 0;
      let run = 0;
      while (isChineseNumeral(text[i + percent + run] ?? '')) run++;
      const word = longest(text, i, ZH_DICT);
      if (run > 0 && (word === undefined || percent + run + (longest(text, i + percent + run, L.ZH_UNITS)?.length ?? 0) > word.length)) {
        out.push({ t: 'num', v: parseChineseNumeral(text.slice(i + percent, i + percent + run)) });
        if (percent > 0) out.push({ t: 'unit', v: 'percent' });
        i += percent + run;
        i += unitAt(i);
        continue;
      }
      if (word !== undefined) {
        const entry = ZH_DICT.get(word);
        if (entry !== undefined) out.push({ t: 'zh', kind: entry.kind, v: entry.v });
        i += word.length;
        continue;
      }
      out.push({ t: 'zh', kind: 'content', v: ch });
      i += 1;
      continue;
    }
    const symbol = L.EN_UNITS.get(ch);
    if (symbol !== undefined) out.push({ t: 'unit', v: symbol });
    i += 1;
  }
  return out;
}

function stem(word: string): string {
  let w = word.replace(/'s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 4 && /(?:x|ch|sh|ss|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (/([^aeiouls])\1$/.test(w)) w = w.slice(0, -1);
  return w;
}

const numberString = (v: number): string => String(Number(v.toPrecision(12)));

/** Accumulates features; `order` keeps the sequence of everything that carries meaning. */
class Collector {
  readonly f: QueryFeatures;
  constructor(text: string) {
    this.f = {
      text: text.toLowerCase(), negations: 0, numbers: [], dates: [], units: [], comparisons: [], questions: [], pronouns: [], tenses: [],
      entities: entitiesOf(text), content: [], order: [], orderMatters: false, adjacent: [],
    };
  }
  number(v: number): void {
    this.f.numbers.push(numberString(v));
    this.f.order.push(`#${numberString(v)}`);
  }
  unit(v: string): void {
    this.f.units.push(v);
    this.f.order.push(`unit:${v}`);
  }
  date(v: string): void {
    this.f.dates.push(v);
    this.f.order.push(`date:${v}`);
  }
  pronoun(v: string, guarded: boolean): void {
    if (guarded) this.f.pronouns.push(v);
    this.f.order.push(`p:${v}`);
  }
  content(v: string): void {
    this.f.content.push(v);
    this.f.order.push(v);
  }
}

function addChinese(c: Collector, kind: ZhKind, v: string): void {
  const { f } = c;
  if (kind === 'neg') f.negations++;
  else if (kind === 'date') c.date(v);
  else if (kind === 'unit') c.unit(v);
  else if (kind === 'cmp') f.comparisons.push(v);
  else if (kind === 'q') f.questions.push(v);
  else if (kind === 'vague') f.numbers.push(v);
  else if (kind === 'marker') f.orderMatters = true;
  else if (kind === 'tense') f.tenses.push(v);
  else if (kind === 'pronoun' || kind === 'person') c.pronoun(v, kind === 'pronoun');
  else if (kind === 'content') c.content(v);
}

/** Handles the English word at `k`; returns how many further tokens it consumed. */
function addEnglish(c: Collector, tokens: Token[], k: number): number {
  const { f } = c;
  const wordAt = (j: number): string => {
    const tok = tokens[j];
    return tok?.t === 'word' ? tok.v : '';
  };
  const raw = wordAt(k);
  const w = raw.endsWith("n't") ? raw : raw.replace(/'(?:s|re|ll|ve|d|m)$/, '');
  const prevIsNumber = tokens[k - 1]?.t === 'num';
  const next = wordAt(k + 1);
  if (L.EN_NEGATIONS.has(w) || w.endsWith("n't")) f.negations++;
  else if (prevIsNumber && L.EN_UNITS.has(w)) c.unit(L.EN_UNITS.get(w) ?? w);
  else if (L.EN_NUMBER_WORDS.has(w) || L.EN_NUMBER_SCALES.has(w)) {
    let [total, section, j] = [0, 0, k];
    for (; j < tokens.length; j++) {
      const v = wordAt(j);
      const scale = L.EN_NUMBER_SCALES.get(v);
      const unit = L.EN_NUMBER_WORDS.get(v);
      if (scale !== undefined) {
        section = (section || 1) * scale;
        if (scale >= 1000) [total, section] = [total + section, 0];
      } else if (unit !== undefined) section += unit;
      else if (!(v === 'and' && L.EN_NUMBER_WORDS.has(wordAt(j + 1)))) break;
    }
    c.number(total + section);
    return j - 1 - k;
  } else if ((w === 'many' || w === 'much') && wordAt(k - 1) === 'how') f.questions.push('howmany');
  else if (L.VAGUE_QUANTITIES.has(w)) f.numbers.push(L.VAGUE_QUANTITIES.get(w) ?? w);
  else if (w === 'may' && (prevIsNumber || tokens[k + 1]?.t === 'num')) c.date('may');
  else if (L.EN_DATE_MODIFIERS.has(w) && (L.EN_DATE_PERIODS.has(next) || L.EN_DATES.has(next))) {
    c.date(`${L.EN_DATE_MODIFIERS.get(w)}:${L.EN_DATES.get(next) ?? next}`);
    return 1;
  } else if (L.EN_DATES.has(w) && w !== 'am') c.date(L.EN_DATES.get(w) ?? w);
  else if (L.EN_UNITS.has(w) && !L.EN_UNITS_AFTER_NUMBER_ONLY.has(w)) c.unit(L.EN_UNITS.get(w) ?? w);
  else if (L.EN_COMPARISONS.has(w)) {
    f.comparisons.push(L.EN_COMPARISONS.get(w) ?? w);
    if (L.EN_ORDER_MARKERS.has(w)) f.orderMatters = true;
  } else if (L.EN_QUESTIONS.has(w)) f.questions.push(L.EN_QUESTIONS.get(w) ?? w);
  else if (['have', 'has', 'need', 'needs'].includes(w) && next === 'to') {
    f.comparisons.push('must');
    return 1;
  } else if (L.EN_TENSES.has(w)) f.tenses.push(L.EN_TENSES.get(w) ?? w);
  else if (L.EN_PRONOUNS.has(w)) c.pronoun(L.EN_PRONOUNS.get(w) ?? w, true);
  else if (L.EN_ORDER_MARKERS.has(w)) f.orderMatters = true;
  else if (!L.EN_STOPWORDS.has(w)) c.content(L.EN_SYNONYMS.get(w) ?? L.EN_SYNONYMS.get(stem(w)) ?? stem(w));
  return 0;
}

export function extractFeatures(raw: string): QueryFeatures {
  const text = raw.normalize('NFKC').replace(/[’‘]/g, "'");
  const c = new Collector(text);
  const lower = text.toLowerCase().replace(/([\u3400-\u9fff])[不没]\1/gu, '$1');
  const tokens = scan(lower);
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k];
    if (tok?.t === 'num') c.number(tok.v);
    else if (tok?.t === 'unit') c.unit(tok.v);
    else if (tok?.t === 'zh') addChinese(c, tok.kind, tok.v);
    else if (tok?.t === 'word') k += addEnglish(c, tokens, k);
  }
  const f = c.f;
  const single = new Set(f.content.filter((x) => x.length === 1 && L.isCjk(x)));
  for (const [, x, y] of lower.matchAll(/(?=([\u3400-\u9fff])([\u3400-\u9fff]))/gu)) {
    if (x !== undefined && y !== undefined && (single.has(x) || single.has(y))) f.adjacent.push(`${x}${y}`);
  }
  for (const key of ['numbers', 'dates', 'units', 'comparisons', 'questions', 'pronouns', 'tenses'] as const) f[key].sort();
  f.content = [...new Set(f.content)].sort();
  f.order = [...new Set(f.order)];
  return f;
}
