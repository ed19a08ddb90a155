/**
 * Second gate after similarity: two queries that differ in a negation, a number, a date, a unit, a comparison,
 * a question word, a name, a content word or the order of their content never share an answer.
 */
import { contextKey, lastText, type Conversation } from './conversation.js';
import { extractFeatures, type QueryFeatures } from './query-features.js';

const show = (list: string[]): string => (list.length === 0 ? '∅' : list.join(','));

const multisetGuards = [
  ['number', 'numbers'],
  ['date', 'dates'],
  ['unit', 'units'],
  ['comparison', 'comparisons'],
  ['question', 'questions'],
  ['pronoun', 'pronouns'],
  ['tense', 'tenses'],
  ['content', 'content'],
] as const;

/** Whether `text` contains `name` as a whole word (a Latin edge needs a non-Latin neighbour). */
function mentions(text: string, name: string): boolean {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const before = /[a-z0-9]/.test(name[0] ?? '') ? text[at - 1] ?? ' ' : ' ';
    const after = /[a-z0-9]/.test(name.at(-1) ?? '') ? text[at + name.length] ?? ' ' : ' ';
    if (!/[a-z0-9_]/.test(before) && !/[a-z0-9_]/.test(after)) return true;
  }
  return false;
}

/** Names of one query that the other does not mention at all (in any case). */
const missingEntities = (a: QueryFeatures, b: QueryFeatures): string[] => a.entities.filter((e) => !mentions(b.text, e));

const isRotation = (a: string[], b: string[]): boolean => {
  if (a.length !== b.length) return false;
  if (a.length === 0) return true;
  const start = b.indexOf(a[0] ?? '');
  return start >= 0 && a.every((x, i) => b[(start + i) % b.length] === x);
};

/** The reason two queries' features conflict, or undefined when every guard passes. */
export function featuresConflict(a: QueryFeatures, b: QueryFeatures): string | undefined {
  if (a.negations !== b.negations) return `negation: ${a.negations} vs ${b.negations}`;
  const [onlyA, onlyB] = [missingEntities(a, b), missingEntities(b, a)];
  if (onlyA.length + onlyB.length > 0) return `entity: ${show(onlyA)} vs ${show(onlyB)}`;
  for (const [name, key] of multisetGuards) {
    const x = a[key];
    const y = b[key];
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) {
      const onlyA = x.filter((v) => !y.includes(v));
      const onlyB = y.filter((v) => !x.includes(v));
      return `${name}: ${show(onlyA.length + onlyB.length > 0 ? onlyA : x)} vs ${show(onlyA.length + onlyB.length > 0 ? onlyB : y)}`;
    }
  }
  const swapped = a.adjacent.find((xy) => {
    const yx = [...xy].reverse().join('');
    return yx !== xy && b.adjacent.includes(yx) && !b.adjacent.includes(xy);
  });
  if (swapped !== undefined) return `order: ${swapped} vs ${[...swapped].reverse().join('')}`;
  // Units only one side has (an extra "我") were judged above; the order is compared on the shared ones.
  const orderA = a.order.filter((u) => b.order.includes(u));
  const orderB = b.order.filter((u) => a.order.includes(u));
  const same = orderA.length === orderB.length && orderA.every((v, i) => v === orderB[i]);
  // Moving a block to the front ("怎么做红烧肉" / "红烧肉怎么做") keeps the meaning; swapping around "to"/"比" does not.
  if (!same && (a.orderMatters || b.orderMatters || !isRotation(orderA, orderB))) return `order: ${show(orderA)} vs ${show(orderB)}`;
  return undefined;
}

/**
 * Why two conversations (or two query texts) must not share a cached answer, or undefined when they may.
 * System prompt and earlier turns must match exactly (after whitespace/width normalisation).
 */
export function guardsConflict(a: Conversation | string, b: Conversation | string): string | undefined {
  const convA = typeof a === 'string' ? { system: '', messages: [{ role: 'user', text: a }] } : a;
  const convB = typeof b === 'string' ? { system: '', messages: [{ role: 'user', text: b }] } : b;
  if (contextKey(convA) !== contextKey(convB)) return 'context: system prompt or earlier turns differ';
  return featuresConflict(extractFeatures(lastText(convA)), extractFeatures(lastText(convB)));
}
