/** Shared types of the privacy module: findings, actions, policies and the one error it throws. */

export const builtinEntityTypes = [
  'ID_CARD', 'PHONE', 'LANDLINE', 'BANK_CARD', 'USCC', 'PASSPORT', 'PERMIT', 'PLATE', 'EMAIL',
] as const;
export type BuiltinEntityType = (typeof builtinEntityTypes)[number];
/** A built-in type or the name of a custom pattern / dictionary (upper-case, `[A-Z][A-Z0-9_]*`). */
export type EntityType = BuiltinEntityType | (string & {});

export interface Finding {
  readonly type: EntityType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  readonly start: number;
  readonly end: number;
  /** The text as written (full-width digits and separators included). */
  readonly text: string;
  /** Canonical form used for placeholder keys: `138 1234 5678` and `１３８１２３４５６７８` are the same value. */
  readonly value: string;
  /** 0..1. Checksum-validated types are ≥ 0.95; context-free weak matches are below 0.5. */
  readonly confidence: number;
}

/** A detector sees the normalised text (same length as the original) and reports findings without `text`. */
export interface Detector {
  readonly type: EntityType;
  detect(normalized: string): Array<Omit<Finding, 'text'>>;
}

export interface CustomPattern {
  readonly name: string;
  readonly pattern: string;
  /** Regex flags besides `g`/`y` (e.g. `i`, `u`). */
  readonly flags?: string;
  readonly confidence?: number;
  /** When set, a match counts only with one of these words up to 24 characters before it. */
  readonly context?: readonly string[];
}

export interface Dictionary {
  readonly name: string;
  readonly words: readonly string[];
  readonly caseInsensitive?: boolean;
}

export interface DetectionConfig {
  /** Built-in types to run; all by default. */
  readonly types?: readonly BuiltinEntityType[];
  readonly patterns?: readonly CustomPattern[];
  readonly dictionaries?: readonly Dictionary[];
  /** Extra detectors (tests inject faulty ones here; integrations may add NER). */
  readonly detectors?: readonly Detector[];
}

/**
 * What happens to a finding on its way to a provider:
 * - `mask`: reversible placeholder, restored in the answer;
 * - `redact`: irreversible `[REDACTED:TYPE]`;
 * - `block`: the request is refused (`pii_blocked`);
 * - `onPremises`: the text is kept, and the request may only go to a model marked onPremises;
 * - `allow`: nothing.
 */
export type ProviderAction = 'mask' | 'redact' | 'block' | 'onPremises' | 'allow';

export interface ProviderPolicy {
  readonly default: ProviderAction;
  readonly types?: Readonly<Record<string, ProviderAction>>;
  /** Findings below this confidence are ignored (default 0.5). */
  readonly minConfidence?: number;
  /** On a detector fault: refuse (default) or send the request unmasked, but only on-premises. */
  readonly onError?: 'refuse' | 'onPremises';
}

/** What is written to logs: `redact` → `[PHONE]`, `partial` → `138****5678`, `keep` → unchanged. */
export type LogAction = 'redact' | 'partial' | 'keep';

export interface LogPolicy {
  readonly default: LogAction;
  readonly types?: Readonly<Record<string, LogAction>>;
  /** Log findings down to this confidence (default 0.3: logs err on the side of hiding). */
  readonly minConfidence?: number;
}

export type PrivacyErrorCode = 'pii_blocked' | 'privacy_scan_failed' | 'pii_requires_on_premises';

/** Suggested HTTP status per code, for the gateway's error catalogue. */
export const privacyErrorStatus: Readonly<Record<PrivacyErrorCode, number>> = {
  pii_blocked: 400,
  pii_requires_on_premises: 400,
  privacy_scan_failed: 500,
};

/** The only error the module throws. Messages name entity types, never matched values. */
export class PrivacyError extends Error {
  readonly code: PrivacyErrorCode;
  readonly status: number;
  readonly types: readonly string[];

  constructor(code: PrivacyErrorCode, message: string, types: readonly string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PrivacyError';
    this.code = code;
    this.status = privacyErrorStatus[code];
    this.types = types;
  }
}
