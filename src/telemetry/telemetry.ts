import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { RequestLogRow } from '../storage/index.js';
import type { AttemptTracer } from './attempt-tracer.js';

/**
 * OpenTelemetry export (traces and metrics over OTLP/HTTP with the GenAI semantic conventions). The gateway
 * holds one when `telemetry.otlp` is configured; it is fed where finished calls are counted (the ledger)
 * and at each upstream attempt (through `tracer`), and flushed on close.
 */
export interface Telemetry {
  /** Set on targets when traces are on: one CLIENT span per upstream attempt. */
  readonly tracer: AttemptTracer | undefined;
  /** A finished call (its request-log row): ends its SERVER span and records the metrics. */
  finish(context: RequestContext, row: RequestLogRow): void;
  /** Exports what is still buffered (waiting at most telemetry.otlp.timeoutMs for the collector), then stops. */
  shutdown(): Promise<void>;
}

/** Undefined when telemetry is off; the OpenTelemetry SDK is imported only here, and only when it is on. */
export async function startTelemetry(config: Pick<GatewayConfig, 'telemetry' | 'models' | 'routes' | 'hash'>, logger: Logger): Promise<Telemetry | undefined> {
  if (!config.telemetry) return undefined;
  const { OtelTelemetry } = await import('./otel-telemetry.js');
  return new OtelTelemetry(config, config.telemetry, logger);
}
