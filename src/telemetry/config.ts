import { z } from 'zod';

// Defined here rather than imported: src/config/schema.ts imports this file (as src/cluster/config.ts does).
const numeric = <T extends z.ZodNumber>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value), schema);
const bool = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean()).optional();
const httpBase = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, { error: 'must be the collector\'s OTLP/HTTP base URL such as http://127.0.0.1:4318' });

/** `telemetry.otlp:` OpenTelemetry traces and metrics sent over OTLP/HTTP (JSON); absent: nothing is loaded or sent. */
export const otlpSchema = z.strictObject({
  /** Lets a deployment keep the block and switch it with a variable: `enabled: ${OTEL_ON:-false}`. */
  enabled: bool,
  /** Base URL; /v1/traces and /v1/metrics are appended. Unset: OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318. */
  endpoint: httpBase.optional(),
  /** Sent with every export (e.g. an Authorization header for a hosted collector); kept out of the config hash. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'must be an HTTP header name' }), z.string()).optional(),
  traces: bool,
  metrics: bool,
  /** Share of new traces kept (0–1); a caller's sampled traceparent is always followed. */
  sampleRatio: numeric(z.number().min(0).max(1)).optional(),
  exportIntervalMs: numeric(z.number().int().min(100).max(3_600_000)).optional(),
  timeoutMs: numeric(z.number().int().min(100).max(600_000)).optional(),
  serviceName: z.string().min(1).max(200).optional(),
});

export const telemetrySchema = z.strictObject({ otlp: otlpSchema.optional() });
export const telemetryKeys: readonly string[] = Object.keys(telemetrySchema.shape);
export const otlpKeys: readonly string[] = Object.keys(otlpSchema.shape);

export interface TelemetryConfig {
  readonly endpoint: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly traces: boolean;
  readonly metrics: boolean;
  readonly sampleRatio: number;
  readonly exportIntervalMs: number;
  readonly timeoutMs: number;
  readonly serviceName: string;
}

/** The resolved block, or undefined when telemetry is off (the default: no block, `enabled: false`, or nothing to send). */
export function telemetryDefaults(file: z.output<typeof telemetrySchema> | undefined): TelemetryConfig | undefined {
  const otlp = file?.otlp;
  if (!otlp || otlp.enabled === false) return undefined;
  const traces = otlp.traces ?? true;
  const metrics = otlp.metrics ?? true;
  if (!traces && !metrics) return undefined;
  return {
    endpoint: otlp.endpoint?.replace(/\/+$/, ''),
    headers: { ...otlp.headers },
    traces,
    metrics,
    sampleRatio: otlp.sampleRatio ?? 1,
    exportIntervalMs: otlp.exportIntervalMs ?? 60_000,
    timeoutMs: otlp.timeoutMs ?? 10_000,
    serviceName: otlp.serviceName ?? 'tidegate',
  };
}
