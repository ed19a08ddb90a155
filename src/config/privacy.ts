import { z } from 'zod';
import { builtinEntityTypes } from '../privacy/types.js';

const providerAction = z.enum(['mask', 'redact', 'block', 'onPremises', 'allow']);
const logAction = z.enum(['redact', 'partial', 'keep']);
const confidence = z.number().min(0).max(1);

export const providerPolicySchema = z.strictObject({
  default: providerAction,
  types: z.record(z.string().min(1), providerAction).optional(),
  minConfidence: confidence.optional(),
  onError: z.enum(['refuse', 'onPremises']).optional(),
});

/**
 * privacy: Chinese personal data found in requests is masked (or redacted, blocked, kept on-premises)
 * before it leaves for a provider, and restored in answers. Off unless configured.
 */
export const privacySchema = z.strictObject({
  enabled: z.boolean().optional(),
  /** HMAC key for placeholders, at least 16 characters (e.g. ${TIDEGATE_PRIVACY_SECRET}). */
  secret: z.string().min(16, { error: 'must be at least 16 characters' }),
  types: z.array(z.enum(builtinEntityTypes)).optional(),
  provider: providerPolicySchema.optional(),
  log: z.strictObject({ default: logAction, types: z.record(z.string().min(1), logAction).optional(), minConfidence: confidence.optional() }).optional(),
  patterns: z
    .array(z.strictObject({ name: z.string().min(1), pattern: z.string().min(1), flags: z.string().regex(/^[imsu]*$/).optional(), confidence: confidence.optional(), context: z.array(z.string().min(1)).optional() }))
    .optional(),
  dictionaries: z.array(z.strictObject({ name: z.string().min(1), words: z.array(z.string().min(1)).min(1), caseInsensitive: z.boolean().optional() })).optional(),
  /** Ask the model to copy placeholders verbatim (a short system message is added when any were issued). */
  hint: z.boolean().optional(),
  /**
   * Stricter policies for particular virtual keys, by key name (`tidegate keys create --name NAME`): for
   * each type the stricter of the key's and the route's (or global) action wins, so a key can only tighten.
   */
  keys: z.record(z.string().min(1), providerPolicySchema).optional(),
});

export type PrivacyFile = z.output<typeof privacySchema>;
export type ProviderPolicyFile = z.output<typeof providerPolicySchema>;

export const privacyAllowedKeys: Record<string, readonly string[]> = {
  privacy: Object.keys(privacySchema.shape),
  'privacy.provider': Object.keys(providerPolicySchema.shape),
  'privacy.log': ['default', 'types', 'minConfidence'],
  'privacy.patterns[]': ['name', 'pattern', 'flags', 'confidence', 'context'],
  'privacy.dictionaries[]': ['name', 'words', 'caseInsensitive'],
  'routes[].privacy': Object.keys(providerPolicySchema.shape),
  'privacy.keys.*': Object.keys(providerPolicySchema.shape),
};

/** Patterns are compiled once at start-up, so a bad one is a config error with its place, not a failed request. */
export function patternProblems(file: PrivacyFile | undefined): Array<{ index: number; message: string }> {
  const problems: Array<{ index: number; message: string }> = [];
  file?.patterns?.forEach((pattern, index) => {
    try {
      new RegExp(pattern.pattern, pattern.flags ?? '');
    } catch (error) {
      problems.push({ index, message: `not a valid regular expression: ${(error as Error).message}` });
    }
  });
  return problems;
}
