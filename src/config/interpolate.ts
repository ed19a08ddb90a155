import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, type ConfigProblem, type PathSegment } from './config-error.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  value: string;
  /** Why a reference could not be resolved (unset variable, bad syntax), one message each. */
  errors: string[];
}

const reference = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const expression = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in one string. `${NAME}` needs NAME to be set (an empty value
 * is kept); `${NAME:-default}` uses the default when NAME is unset or empty. `$${` is a literal `${`.
 * The result is only ever a string: it is never parsed as YAML again.
 */
export function interpolate(text: string, env: Environment): Interpolated {
  const errors: string[] = [];
  const value = text.replace(reference, (match: string, body: string | undefined) => {
    if (match === '$${') return '${';
    if (body === undefined) {
      errors.push('unclosed "${" (write "$${" for a literal "${")');
      return match;
    }
    const parsed = expression.exec(body.trim());
    if (!parsed) {
      errors.push(`invalid variable reference "\${${body}}" (expected \${NAME} or \${NAME:-default})`);
      return match;
    }
    const name = parsed[1]!;
    const fallback = parsed[2];
    const set = env[name];
    if (fallback !== undefined) return set === undefined || set === '' ? fallback : set;
    if (set === undefined) {
      errors.push(`environment variable ${name} is not set (set it, or write \${${name}:-default} to give a default)`);
      return '';
    }
    return set;
  });
  return { value, errors };
}

export interface Position {
  line: number;
  column: number;
}

/** Where each value (and each mapping key) of the parsed file starts. */
export class SourcePositions {
  private readonly values = new Map<string, Position>();
  private readonly keys = new Map<string, Position>();

  static key(path: readonly PathSegment[]): string {
    return JSON.stringify(path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)));
  }

  set(path: readonly PathSegment[], value: Position | undefined, key?: Position): void {
    if (value) this.values.set(SourcePositions.key(path), value);
    if (key) this.keys.set(SourcePositions.key(path), key);
  }

  /** The position of the value at path (or of its key), else of the nearest enclosing value. */
  locate(path: readonly PathSegment[], preferKey = false): Position | undefined {
    for (let length = path.length; length >= 0; length -= 1) {
      const key = SourcePositions.key(path.slice(0, length));
      const found = (preferKey && length === path.length ? this.keys.get(key) : undefined) ?? this.values.get(key) ?? this.keys.get(key);
      if (found) return found;
    }
    return undefined;
  }
}

export interface ParsedYaml {
  /** Plain data: mappings become objects, `key:` with an empty value is left out, strings are interpolated. */
  data: unknown;
  positions: SourcePositions;
  problems: ConfigProblem[];
}

const MAX_SYNTAX_ERRORS = 5;

// `${...}` is hidden from the YAML parser behind private-use characters of the same length (so lines and
// columns do not move), which lets `{ key: ${KEY} }` parse in flow style. Values are put back, then
// interpolated, after parsing: what a variable holds is never seen by the parser.
const OPEN = '\uE000\uE001';
const CLOSE = '\uE002';
const hide = (text: string): string => (/[\uE000-\uE002]/.test(text) ? text : text.replace(/\$\{([^}\n]*)\}/g, `${OPEN}$1${CLOSE}`));
const restore = (text: string): string => text.replaceAll(OPEN, '${').replaceAll(CLOSE, '}');

/** Parses YAML text as one document, keeping the line and column of every value for error messages. */
export function readYaml(text: string, env: Environment): ParsedYaml {
  const lineCounter = new LineCounter();
  const document = parseDocument(hide(text), { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const positions = new SourcePositions();
  const problems: ConfigProblem[] = [];
  const at = (offset: number | undefined): Position | undefined => {
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (document.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    const seenLines = new Set<number>();
    for (const error of document.errors) {
      const position = at(error.pos[0]);
      // One error per line, a few at most: after the first, the parser's errors are mostly consequences.
      if (seenLines.has(position?.line ?? 0) || seenLines.size >= MAX_SYNTAX_ERRORS) continue;
      seenLines.add(position?.line ?? 0);
      const lineText = position ? lines[position.line - 1] ?? '' : '';
      const hint = /[{[][^#]*\$\{/.test(lineText) ? ' (inside { } or [ ], quote values that use ${...}: "${NAME}")' : '';
      problems.push({ ...position, path: '', message: `YAML syntax error: ${restore(error.message)}${hint}` });
    }
    return { data: undefined, positions, problems };
  }

  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return walk(node.resolve(document as Document), path);
    if (isScalar(node)) {
      positions.set(path, at(node.range?.[0]));
      if (typeof node.value !== 'string') return node.value;
      const value = restore(node.value);
      if (!value.includes('${')) return value;
      const result = interpolate(value, env);
      const position = at(node.range?.[0]);
      for (const message of result.errors) problems.push({ ...position, path: formatPath(path), message: `${formatPath(path)}: ${message}` });
      // A value that could not be interpolated is left out, so it is not reported a second time as the wrong type.
      return result.errors.length > 0 ? null : result.value;
    }
    if (isSeq(node)) {
      positions.set(path, at(node.range?.[0]));
      return node.items.map((item, index) => walk(item, [...path, index]));
    }
    if (isMap(node)) {
      positions.set(path, at(node.range?.[0]));
      const object: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isScalar(pair.key) || (pair.key.value !== null && typeof pair.key.value === 'object')) {
          const position = at((pair.key as { range?: [number] } | null)?.range?.[0]);
          problems.push({ ...position, path: formatPath(path), message: `${formatPath(path) || 'top level'}: mapping keys must be plain names` });
          continue;
        }
        const key = restore(String(pair.key.value));
        const keyPosition = at(pair.key.range?.[0]);
        const childPath = [...path, key];
        positions.set(childPath, undefined, keyPosition);
        const value = walk(pair.value, childPath);
        if (!pair.value) positions.set(childPath, keyPosition);
        if (value === null) continue;
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    return null;
  };

  const data = walk(document.contents, []);
  if (!positions.locate([])) positions.set([], { line: 1, column: 1 });
  return { data: data ?? {}, positions, problems };
}
