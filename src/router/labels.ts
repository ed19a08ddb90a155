/**
 * Labelled outcomes collected by the gateway (feedback, or a judge comparing the light and the flagship answer on
 * sampled traffic), read from JSONL for `tidegate router train --labels FILE`. One object per line:
 *
 *   {"prompt": "…"}  or  {"messages": [{"role": "user", "content": "…"}, …]}      what was asked
 *   plus {"strong": 0..1, "weak": 0..1}                                            outcome of flagship and light answer
 *     or {"flagship_score": 0..1, "light_score": 0..1}                              the same, as the gateway's feedback names them
 *     or {"winner": "flagship" | "light" | "tie"}                                   a judged comparison
 *   optional "weight": number > 0 (default 1), multiplied with the --labels-weight of the whole file.
 *
 * Blank lines and lines starting with # are skipped. Any other problem stops with "FILE:LINE: what is wrong".
 */
import { readFileSync } from 'node:fs';
import type { RoutingRecord } from './datasets.js';
import { contentText, inputFromMessages, type ChatMessage } from './features.js';

export const LABELS_FORMAT = `one JSON object per line: {"prompt":"…"} or {"messages":[{"role":"user","content":"…"}]}, with either
{"strong":0..1,"weak":0..1} or {"flagship_score":0..1,"light_score":0..1} (outcome of the flagship and the light
answer) or {"winner":"flagship"|"light"|"tie"};
optional "weight" (> 0, default 1). Blank lines and lines starting with # are skipped.`;

const WINNER: Record<string, [strong: number, weak: number]> = { flagship: [1, 0], light: [0, 1], tie: [0.5, 0.5] };

/** Parses labels; `name` prefixes error messages. Throws on the first bad line. */
export function parseLabels(text: string, name = 'labels'): RoutingRecord[] {
  const out: RoutingRecord[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fail = (why: string): never => { throw new Error(`${name}:${i + 1}: ${why}`); };
    let row: unknown;
    try { row = JSON.parse(line); } catch (e) { fail(`not valid JSON (${(e as Error).message})`); }
    if (!row || typeof row !== 'object' || Array.isArray(row)) fail('expected a JSON object');
    const r = row as Record<string, unknown>;
    const known = new Set(['id', 'prompt', 'messages', 'strong', 'weak', 'flagship_score', 'light_score', 'winner', 'weight']);
    const extra = Object.keys(r).filter((k) => !known.has(k));
    if (extra.length) fail(`unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
    // what was asked
    let system = '', user = '', turns = 1;
    if (r.prompt !== undefined && r.messages !== undefined) fail('give "prompt" or "messages", not both');
    if (typeof r.prompt === 'string') user = r.prompt;
    else if (Array.isArray(r.messages)) {
      r.messages.forEach((m, k) => {
        if (!m || typeof m !== 'object' || typeof (m as ChatMessage).role !== 'string') fail(`messages[${k}] needs a string "role"`);
      });
      ({ system, user, turns } = inputFromMessages(r.messages as ChatMessage[]));
      if (!user && !(r.messages as ChatMessage[]).some((m) => contentText(m.content))) fail('messages have no text');
    } else fail('needs "prompt" (string) or "messages" (array)');
    if (!user.trim() && !system.trim()) fail('the prompt is empty');
    // the outcome; flagship_score / light_score are the feedback loop's names for strong / weak
    const given = { strong: 'strong', weak: 'weak' };
    for (const [alias, name] of [['flagship_score', 'strong'], ['light_score', 'weak']] as const) {
      if (r[alias] === undefined) continue;
      if (r[name] !== undefined) fail(`give "${alias}" or "${name}", not both`);
      r[name] = r[alias];
      given[name] = alias;
    }
    if (given.strong !== 'strong' || given.weak !== 'weak') Object.assign(given, { strong: 'flagship_score', weak: 'light_score' });
    let strong: number, weak: number;
    if (r.winner !== undefined) {
      if (r.strong !== undefined || r.weak !== undefined) fail('give "winner" or scores ("strong"/"weak", "flagship_score"/"light_score"), not both');
      const w = typeof r.winner === 'string' ? WINNER[r.winner] : undefined;
      if (!w) fail(`"winner" must be "flagship", "light" or "tie", got ${JSON.stringify(r.winner)}`);
      [strong, weak] = w!;
    } else {
      const score = (k: 'strong' | 'weak'): number => {
        const v = r[k];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`"${given[k]}" must be a number from 0 to 1, got ${JSON.stringify(v)}`);
        return v as number;
      };
      if (r.strong === undefined && r.weak === undefined) fail('needs an outcome: "winner", "strong" and "weak", or "flagship_score" and "light_score"');
      strong = score('strong');
      weak = score('weak');
    }
    let weight = 1;
    if (r.weight !== undefined) {
      if (typeof r.weight !== 'number' || !Number.isFinite(r.weight) || r.weight <= 0) fail(`"weight" must be a positive number, got ${JSON.stringify(r.weight)}`);
      weight = r.weight as number;
    }
    const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : String(i + 1);
    out.push({ id: `gateway:${id}`, source: 'gateway', prompt: user, ...(system || turns > 1 ? { input: { system, user, turns } } : {}), strong, weak, weight });
  });
  return out;
}

export function readLabels(path: string): RoutingRecord[] {
  return parseLabels(readFileSync(path, 'utf8'), path);
}
