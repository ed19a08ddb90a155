/** The log policy: what of a text may be written to logs. Never reversible; fails closed to a fixed text. */
import type { Scanner } from './scanner.js';
import type { Finding, LogAction, LogPolicy } from './types.js';

export const withheldForLog = '[privacy: text withheld, scan failed]';

export const defaultLogPolicy: LogPolicy = { default: 'redact' };

/** `138****5678`, `6222***********0123`, `z***@example.com`: enough to tell values apart when debugging. */
export function partialMask(f: Finding): string {
  if (f.type === 'EMAIL') {
    const at = f.text.indexOf('@');
    return `${f.text.slice(0, 1)}***${f.text.slice(at)}`;
  }
  const text = f.text;
  const keepStart = text.length >= 11 ? 3 : 1;
  const keepEnd = text.length >= 11 ? 4 : text.length >= 4 ? 1 : 0;
  return text.slice(0, keepStart) + '*'.repeat(Math.max(1, text.length - keepStart - keepEnd)) + text.slice(text.length - keepEnd);
}

export function maskTextForLog(scanner: Scanner, text: string, policy: LogPolicy = defaultLogPolicy): string {
  if (text.length === 0) return text;
  let findings: Finding[];
  try {
    findings = scanner.scan(text);
  } catch {
    return withheldForLog;
  }
  const minConfidence = policy.minConfidence ?? 0.3;
  let out = '';
  let at = 0;
  for (const f of findings) {
    if (f.confidence < minConfidence) continue;
    const action: LogAction = policy.types?.[f.type] ?? policy.default;
    if (action === 'keep') continue;
    out += text.slice(at, f.start) + (action === 'partial' ? partialMask(f) : `[${f.type}]`);
    at = f.end;
  }
  return out + text.slice(at);
}

/** Every string in a JSON-like value (request bodies, log rows), object keys left alone. */
export function maskValueForLog<T>(scanner: Scanner, value: T, policy: LogPolicy = defaultLogPolicy): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskTextForLog(scanner, v, policy);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    }
    return v;
  };
  return walk(value) as T;
}
