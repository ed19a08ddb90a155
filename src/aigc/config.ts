/**
 * `aigc:` in the config: labels for AI-generated text under 《人工智能生成合成内容标识办法》 and
 * GB 45438-2025. With the section present every answer carries the implicit label (the `AIGC` metadata);
 * `label` adds the explicit one to the text; answers delivered without it are audit-logged.
 */
import { z } from 'zod';

/** GB 45438-2025 text labels name AI ("人工智能" or "AI") and generation; we require one of the two standard forms. */
export const explicitLabelPattern = /人工智能生成|AI生成/;
export const defaultLabelText = '【本内容由人工智能生成】';

/** Metadata values are printable single-byte characters without quotes, backslashes or spaces (Annex E practice). */
const metadataCode = z.string().regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces (e.g. a provider code such as 001191440300708461136T1XGW3)' }).refine((v) => !/["\\]/.test(v), { error: 'must not contain " or \\' });

export const aigcSchema = z.strictObject({
  /** The explicit label added to answer text; leave it out to send only the implicit label (every answer is then audit-logged). */
  label: z
    .strictObject({
      position: z.enum(['start', 'end']).optional(),
      text: z.string().refine((text) => explicitLabelPattern.test(text), { error: 'must contain "人工智能生成" or "AI生成" (GB 45438-2025)' }).optional(),
    })
    .optional(),
  /** Clients may ask for answers without the explicit label (`x-tidegate-aigc-label: off`); each such answer is audit-logged. */
  allowUnlabelled: z.boolean().optional(),
  /** ContentProducer per provider id (its name or service code); default: the provider id. */
  producers: z.record(z.string().min(1), metadataCode).optional(),
  /** ContentPropagator: the operator of this gateway (its name or service code); default "tidegate". */
  propagator: metadataCode.optional(),
  /** When set, ReservedCode2 is an HMAC-SHA256 (hex) over the other elements, so downstream can check the metadata. */
  signingKey: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
});

export type AigcFile = z.output<typeof aigcSchema>;

export interface AigcConfig {
  /** Undefined: no explicit label. */
  readonly label: { readonly position: 'start' | 'end'; readonly text: string } | undefined;
  readonly allowUnlabelled: boolean;
  readonly producers: Readonly<Record<string, string>>;
  readonly propagator: string;
  readonly signingKey: string | undefined;
}

export function buildAigcConfig(file: AigcFile): AigcConfig {
  return {
    label: file.label ? { position: file.label.position ?? 'end', text: file.label.text ?? defaultLabelText } : undefined,
    allowUnlabelled: file.allowUnlabelled ?? false,
    producers: { ...file.producers },
    propagator: file.propagator ?? 'tidegate',
    signingKey: file.signingKey,
  };
}

export const aigcAllowedKeys: Record<string, readonly string[]> = {
  aigc: Object.keys(aigcSchema.shape),
  'aigc.label': ['position', 'text'],
};
