/**
 * The privacy engine: one per configuration. The gateway calls `maskMessages` before a request leaves
 * (fail closed: any error other than a block becomes PrivacyError('privacy_scan_failed') unless the policy
 * routes faults on-premises), restores answers with the outcome's restorer, and writes logs through `maskForLog`.
 */
import type { ChatMessage } from '../canonical/chat.js';
import { defaultLogPolicy, maskTextForLog, maskValueForLog } from './log.js';
import { maskChatMessages, type MaskOutcome } from './mask.js';
import { PlaceholderIssuer, type PlaceholderScope, type PlaceholderStyle } from './placeholders.js';
import { Restorer } from './restore.js';
import { createScanner, type Scanner } from './scanner.js';
import { PrivacyError, type DetectionConfig, type Finding, type LogPolicy, type ProviderPolicy } from './types.js';

export interface PrivacyConfig {
  /** HMAC key for placeholders (≥ 16 bytes). Rotating it changes every placeholder. */
  readonly secret: string | Uint8Array;
  readonly detection?: DetectionConfig;
  /** What leaves for a provider; default: mask everything found. Routes and keys may pass their own. */
  readonly provider?: ProviderPolicy;
  /** What is written to logs; default: redact everything found. */
  readonly log?: LogPolicy;
  readonly placeholders?: PlaceholderStyle;
  /** Re-scan masked texts before they leave (default true). */
  readonly verify?: boolean;
}

export interface MaskRequest extends PlaceholderScope {
  /** Overrides the engine's provider policy (a route's or a key's). */
  readonly policy?: ProviderPolicy;
}

export interface PrivacyEngine {
  readonly scanner: Scanner;
  scan(text: string): Finding[];
  maskMessages(messages: readonly ChatMessage[], request: MaskRequest): Promise<MaskOutcome>;
  maskForLog(text: string, policy?: LogPolicy): string;
  maskValueForLog<T>(value: T, policy?: LogPolicy): T;
  /** A stable conversation id from the first message of a conversation, for callers that have none. */
  conversationId(messages: readonly ChatMessage[]): string;
}

export const defaultProviderPolicy: ProviderPolicy = { default: 'mask' };

/** Optional system-message hint for requests with placeholders: models copy them more faithfully when told to. */
export const placeholderSystemHint =
  'Some personal data in this conversation is replaced by placeholders in square brackets such as [PHONE_KXMBTQRD]. ' +
  'Copy a placeholder exactly, brackets included, wherever the original value belongs; never invent new ones.';

export function createPrivacyEngine(config: PrivacyConfig): PrivacyEngine {
  const scanner = createScanner(config.detection);
  const issuer = new PlaceholderIssuer(config.secret, config.placeholders);
  const providerPolicy = config.provider ?? defaultProviderPolicy;
  const logPolicy = config.log ?? defaultLogPolicy;
  const verify = config.verify ?? true;
  return {
    scanner,
    scan: (text) => scanner.scan(text),
    async maskMessages(messages, request) {
      const policy = request.policy ?? providerPolicy;
      try {
        return await maskChatMessages({ scanner, issuer, verify }, messages, request, policy);
      } catch (error) {
        if (error instanceof PrivacyError) throw error;
        if (policy.onError === 'onPremises') {
          return {
            messages: structuredClone(messages) as ChatMessage[], restorer: Restorer.empty, findings: [],
            onPremisesRequired: true, onPremisesTypes: [], degraded: true,
          };
        }
        // The cause keeps only the error's name: a detector's message could quote the text it failed on.
        const name = error instanceof Error ? error.name : typeof error;
        throw new PrivacyError('privacy_scan_failed', 'The privacy check failed, so the request was not sent.', [], { name });
      }
    },
    maskForLog: (text, policy) => maskTextForLog(scanner, text, policy ?? logPolicy),
    maskValueForLog: (value, policy) => maskValueForLog(scanner, value, policy ?? logPolicy),
    conversationId(messages) {
      const first = messages.find((m) => m.role !== 'system' && m.role !== 'developer') ?? messages[0];
      return issuer.conversationId(first === undefined ? '' : JSON.stringify(first.content ?? ''));
    },
  };
}

/**
 * For the router: throws `pii_requires_on_premises` when an outcome demands on-premises models and the
 * chosen target is not one. Call it for every candidate, fallbacks included.
 */
export function assertTargetAllowed(outcome: Pick<MaskOutcome, 'onPremisesRequired' | 'onPremisesTypes'>, target: { readonly onPremises?: boolean }): void {
  if (!outcome.onPremisesRequired || target.onPremises === true) return;
  const types = outcome.onPremisesTypes;
  throw new PrivacyError(
    'pii_requires_on_premises',
    types.length > 0
      ? `The request contains personal data (${types.join(', ')}) that may only be sent to on-premises models.`
      : 'The privacy check could not run, so the request may only be sent to on-premises models.',
    types,
  );
}
