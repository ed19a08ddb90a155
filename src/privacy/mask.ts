/** Applying a provider policy to OpenAI-shaped chat messages. */
import type { ChatMessage, ContentPart } from '../canonical/chat.js';
import { placeholderShape, type PlaceholderIssuer, type PlaceholderScope } from './placeholders.js';
import { Restorer } from './restore.js';
import type { Scanner } from './scanner.js';
import { PrivacyError, type Finding, type ProviderAction, type ProviderPolicy } from './types.js';

export interface FindingSummary {
  readonly type: string;
  readonly action: ProviderAction;
  readonly count: number;
}

export interface MaskOutcome {
  /** What may be sent: a copy of the input with `mask` and `redact` findings replaced. */
  readonly messages: ChatMessage[];
  /** Restores this request's placeholders in the answer (empty when nothing was masked). */
  readonly restorer: Restorer;
  /** Per type and action, without values: safe to log. */
  readonly findings: readonly FindingSummary[];
  /** True when the request may only go to models marked onPremises. */
  readonly onPremisesRequired: boolean;
  readonly onPremisesTypes: readonly string[];
  /** True when a detector fault was turned into on-premises routing (policy onError: 'onPremises'). */
  readonly degraded: boolean;
}

/** A text somewhere in the messages, and how to write it back. */
interface Slot {
  readonly text: string;
  write(text: string): void;
}

export function actionFor(policy: ProviderPolicy, type: string): ProviderAction {
  return policy.types?.[type] ?? policy.default;
}

/** Collects the texts of messages (mutating `messages`, a private copy, when slots are written). */
function collectSlots(messages: ChatMessage[], commits: Array<() => void>): Slot[] {
  const slots: Slot[] = [];
  const textSlot = (holder: Record<string, unknown>, key: string): void => {
    const text = holder[key];
    if (typeof text === 'string' && text.length > 0) slots.push({ text, write: (t) => { holder[key] = t; } });
  };
  const contentSlots = (holder: Record<string, unknown>): void => {
    if (Array.isArray(holder.content)) {
      for (const part of holder.content as ContentPart[]) if (part.type === 'text') textSlot(part as Record<string, unknown>, 'text');
    } else textSlot(holder, 'content');
  };
  const argumentSlots = (fn: { arguments?: unknown } | undefined): void => {
    if (fn === undefined || typeof fn.arguments !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(fn.arguments);
    } catch {
      textSlot(fn as Record<string, unknown>, 'arguments');
      return;
    }
    const before = slots.length;
    const root = { value: parsed };
    walkJsonStrings(root, 'value', slots);
    if (slots.length > before) commits.push(() => { fn.arguments = JSON.stringify(root.value); });
  };
  for (const message of messages) {
    contentSlots(message);
    textSlot(message, 'reasoning_content');
    for (const call of message.tool_calls ?? []) argumentSlots(call.function);
    argumentSlots(message.function_call as { arguments?: unknown } | undefined);
  }
  return slots;
}

/** Every string leaf of a JSON value (object keys are left alone). */
function walkJsonStrings(holder: Record<string, unknown> | unknown[], key: string | number, slots: Slot[]): void {
  const value = (holder as Record<string | number, unknown>)[key];
  if (typeof value === 'string') {
    if (value.length > 0) slots.push({ text: value, write: (t) => { (holder as Record<string | number, unknown>)[key] = t; } });
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) walkJsonStrings(value, i, slots);
  } else if (typeof value === 'object' && value !== null) {
    for (const k of Object.keys(value)) walkJsonStrings(value as Record<string, unknown>, k, slots);
  }
}

export interface MaskDeps {
  readonly scanner: Scanner;
  readonly issuer: PlaceholderIssuer;
  /** Re-scan masked texts and refuse if anything that should be hidden is still there (default true). */
  readonly verify: boolean;
}

/** Throws PrivacyError('pii_blocked') or lets detector/store errors escape (the engine turns those into refusals). */
export async function maskChatMessages(
  deps: MaskDeps, input: readonly ChatMessage[], scope: PlaceholderScope, policy: ProviderPolicy,
): Promise<MaskOutcome> {
  const messages = structuredClone(input) as ChatMessage[];
  const commits: Array<() => void> = [];
  const slots = collectSlots(messages, commits);
  const minConfidence = policy.minConfidence ?? 0.5;
  const acted = slots.map((slot) => deps.scanner.scan(slot.text).filter((f) => f.confidence >= minConfidence && actionFor(policy, f.type) !== 'allow'));

  const counts = new Map<string, FindingSummary>();
  for (const f of acted.flat()) {
    const action = actionFor(policy, f.type);
    const key = `${f.type}\u0000${action}`;
    counts.set(key, { type: f.type, action, count: (counts.get(key)?.count ?? 0) + 1 });
  }
  const findings = [...counts.values()];
  const blocked = [...new Set(findings.filter((f) => f.action === 'block').map((f) => f.type))];
  if (blocked.length > 0) {
    throw new PrivacyError('pii_blocked', `The request contains personal data of a type this route does not accept: ${blocked.join(', ')}.`, blocked);
  }

  const issued = new Map<string, { value: string; text: string }>();
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    const list = acted[i]!;
    if (!list.some((f) => isRewrite(actionFor(policy, f.type)))) continue;
    let out = '';
    let at = 0;
    for (const f of list) {
      const action = actionFor(policy, f.type);
      if (!isRewrite(action)) continue;
      out += slot.text.slice(at, f.start) + (action === 'redact' ? `[REDACTED:${f.type}]` : await issue(deps.issuer, scope, f, issued));
      at = f.end;
    }
    slot.write(out + slot.text.slice(at));
    if (deps.verify) verifyMasked(deps.scanner, out + slot.text.slice(at), policy, minConfidence);
  }
  for (const commit of commits) commit();

  const onPremisesTypes = [...new Set(findings.filter((f) => f.action === 'onPremises').map((f) => f.type))];
  const values = new Map([...issued].map(([placeholder, entry]) => [placeholder, entry.text]));
  return {
    messages, restorer: values.size === 0 ? Restorer.empty : new Restorer(values), findings,
    onPremisesRequired: onPremisesTypes.length > 0, onPremisesTypes, degraded: false,
  };
}

const isRewrite = (action: ProviderAction): boolean => action === 'mask' || action === 'redact';

async function issue(
  issuer: PlaceholderIssuer, scope: PlaceholderScope, f: Finding, issued: Map<string, { value: string; text: string }>,
): Promise<string> {
  const placeholder = await issuer.placeholder(scope, f.type, f.value);
  const known = issued.get(placeholder);
  // Two values with one placeholder (a 1-in-10^10 hash collision, or a broken store) must not be guessed between.
  if (known !== undefined && known.value !== f.value) throw new Error('privacy: placeholder collision');
  if (known === undefined) issued.set(placeholder, { value: f.value, text: f.text });
  return placeholder;
}

/** Defence in depth: nothing that should be masked, redacted or blocked survives outside a placeholder. */
function verifyMasked(scanner: Scanner, text: string, policy: ProviderPolicy, minConfidence: number): void {
  const tokens: Array<[number, number]> = [];
  for (const m of text.matchAll(new RegExp(`${placeholderShape.source}|\\[REDACTED:[A-Z][A-Z0-9_]*\\]`, 'g'))) tokens.push([m.index, m.index + m[0].length]);
  for (const f of scanner.scan(text)) {
    if (f.confidence < minConfidence) continue;
    const action = actionFor(policy, f.type);
    if (action !== 'mask' && action !== 'redact' && action !== 'block') continue;
    if (tokens.some(([s, e]) => f.start < e && f.end > s)) continue;
    throw new Error('privacy: masked text still contains personal data');
  }
}
