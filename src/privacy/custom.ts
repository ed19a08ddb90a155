/** Detectors built from configuration: custom regex patterns and word lists (dictionaries). */
import { hasContext, isAsciiAlnum } from './normalize.js';
import type { CustomPattern, Detector, Dictionary, Finding } from './types.js';

const typeName = /^[A-Z][A-Z0-9_]{0,31}$/;

function checkName(name: string): void {
  if (!typeName.test(name)) throw new Error(`privacy: entity name "${name}" must match ${typeName.source}`);
}

/** Compiles a custom pattern; throws at configuration time on a bad name, bad regex or bad flags. */
export function patternDetector(config: CustomPattern): Detector {
  checkName(config.name);
  const flags = (config.flags ?? '').replace(/[gy]/g, '');
  const re = new RegExp(config.pattern, flags + 'g');
  if (re.test('')) throw new Error(`privacy: pattern ${config.name} matches the empty string`);
  const confidence = config.confidence ?? 0.9;
  const context = config.context?.map((w) => w.toLowerCase());
  return {
    type: config.name,
    detect(text) {
      re.lastIndex = 0;
      const out: Array<Omit<Finding, 'text'>> = [];
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const start = m.index;
        const end = start + m[0].length;
        if (context !== undefined && !hasContext(text, start, end, context, 24, 16)) continue;
        out.push({ type: config.name, start, end, value: m[0], confidence });
      }
      return out;
    },
  };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Word-list detector. Longest words win (alternation sorted by length); a word that starts or ends with an
 * ASCII letter or digit only matches on a word boundary there (`Falcon` is not found in `Falconry`).
 */
export function dictionaryDetector(config: Dictionary): Detector {
  checkName(config.name);
  const words = [...new Set(config.words.map((w) => w.trim()).filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  const re = words.length === 0 ? null : new RegExp(words.map(escape).join('|'), config.caseInsensitive === true ? 'gi' : 'g');
  return {
    type: config.name,
    detect(text) {
      const out: Array<Omit<Finding, 'text'>> = [];
      if (re === null) return out;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        const start = m.index;
        const end = start + m[0].length;
        const first = text.charCodeAt(start);
        const last = text.charCodeAt(end - 1);
        if (isAsciiAlnum(first) && isAsciiAlnum(text.charCodeAt(start - 1))) continue;
        if (isAsciiAlnum(last) && isAsciiAlnum(text.charCodeAt(end))) continue;
        const value = config.caseInsensitive === true ? m[0].toLowerCase() : m[0];
        out.push({ type: config.name, start, end, value, confidence: 0.95 });
      }
      return out;
    },
  };
}
