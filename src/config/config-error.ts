/** One thing wrong with a configuration, located in the file where possible. */
export interface ConfigProblem {
  /** 1-based line in the source file, when the problem can be located there. */
  line?: number;
  /** 1-based column in the source file. */
  column?: number;
  /** Where in the config the problem is, e.g. `models[1].fallbacks[0]` ("" for the whole file). */
  path: string;
  message: string;
}

/** Every problem found in a configuration, thrown once after all of them were collected. */
export class ConfigError extends Error {
  readonly source: string;
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: readonly ConfigProblem[]) {
    const sorted = [...problems].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
    super(sorted.map((problem) => formatProblem(source, problem)).join('\n'));
    this.name = 'ConfigError';
    this.source = source;
    this.problems = sorted;
  }
}

/** `file:line:col: message`, or `file: message` when the problem has no position. */
export function formatProblem(source: string, problem: ConfigProblem): string {
  if (problem.line === undefined) return `${source}: ${problem.message}`;
  return `${source}:${problem.line}:${problem.column ?? 1}: ${problem.message}`;
}

export type PathSegment = string | number | symbol;

/** `["models", 1, "fallbacks", 0]` → `models[1].fallbacks[0]`; odd keys are quoted: `headers["x-foo"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'symbol') text += `[${String(segment)}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** Levenshtein distance, small inputs only. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest candidate when it is close enough to be a plausible typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or "". */
export function suggestion(word: string, candidates: Iterable<string>): string {
  const match = closest(word, candidates);
  return match === undefined ? '' : ` (did you mean ${JSON.stringify(match)}?)`;
}

/** A readable list of names, shortened when long: `a, b, c, … (40 in all)`. */
export function listNames(names: readonly string[], limit = 12): string {
  if (names.length === 0) return 'none';
  if (names.length <= limit) return names.join(', ');
  return `${names.slice(0, limit).join(', ')}, … (${names.length} in all)`;
}

/** How a value looks in a message: `string "abc"`, `number 3`, `a list`, `a mapping`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}
