/** Runs the configured detectors over a text and resolves overlapping findings. */
import { dictionaryDetector, patternDetector } from './custom.js';
import { builtinDetectors } from './detectors.js';
import { normalizeForScan } from './normalize.js';
import { builtinEntityTypes, type DetectionConfig, type Detector, type Finding } from './types.js';

export interface Scanner {
  /** Entity types this scanner can report. */
  readonly types: readonly string[];
  /** Findings in text order, not overlapping. Throws if a detector throws: callers must fail closed. */
  scan(text: string): Finding[];
}

/** Builds the detectors once; a bad custom pattern or dictionary throws here, at configuration time. */
export function createScanner(config: DetectionConfig = {}): Scanner {
  const detectors: Detector[] = [
    ...(config.types ?? builtinEntityTypes).map((type) => builtinDetectors[type]),
    ...(config.patterns ?? []).map(patternDetector),
    ...(config.dictionaries ?? []).map(dictionaryDetector),
    ...(config.detectors ?? []),
  ];
  const types = [...new Set(detectors.map((d) => d.type))];
  return {
    types,
    scan(text) {
      if (text.length === 0) return [];
      const normalized = normalizeForScan(text);
      const candidates: Array<Omit<Finding, 'text'>> = [];
      for (const detector of detectors) {
        for (const f of detector.detect(normalized)) {
          if (!(f.start >= 0 && f.end <= text.length && f.start < f.end)) {
            throw new Error(`privacy: detector ${detector.type} returned an invalid span`);
          }
          candidates.push(f);
        }
      }
      return resolveOverlaps(candidates).map((f) => ({ ...f, text: text.slice(f.start, f.end) }));
    },
  };
}

/** Higher confidence wins, then the longer span, then the earlier one. */
function resolveOverlaps(candidates: Array<Omit<Finding, 'text'>>): Array<Omit<Finding, 'text'>> {
  if (candidates.length <= 1) return candidates;
  const ranked = [...candidates].sort((a, b) =>
    b.confidence - a.confidence || (b.end - b.start) - (a.end - a.start) || a.start - b.start);
  const taken: Array<Omit<Finding, 'text'>> = [];
  const occupied = new Set<number>();
  for (const f of ranked) {
    let free = true;
    for (let i = f.start; i < f.end && free; i++) if (occupied.has(i)) free = false;
    if (!free) continue;
    for (let i = f.start; i < f.end; i++) occupied.add(i);
    taken.push(f);
  }
  return taken.sort((a, b) => a.start - b.start);
}
