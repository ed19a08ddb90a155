/**
 * The OpenTelemetry side of src/telemetry: loaded by telemetry.ts with a dynamic import only when
 * `telemetry.otlp` is configured, so a gateway without it never loads an @opentelemetry module.
 */
import { DiagLogLevel, ROOT_CONTEXT, SpanKind, diag, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Attributes, type Context, type Counter, type Histogram, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { GatewayConfig } from '../config/types.js';
import type { Logger } from '../logging/logger.js';
import { asGatewayError } from '../errors/catalogue.js';
import { savingsBySource, statusClass } from '../metrics/gateway-metrics.js';
import { OTHER } from '../metrics/registry.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Target } from '../pipeline/targets.js';
import type { ProviderAdapter } from '../providers/adapter.js';
import type { RequestLogRow } from '../storage/index.js';
import type { TelemetryConfig } from './config.js';
import { runInAttempt, type AttemptScope } from './attempt-scope.js';
import type { AttemptTracer } from './attempt-tracer.js';
import { genAiProviderName } from './provider-names.js';
import { exchangeAttributes, operationName, serverSpanAttributes, usageAttributes } from './span-attributes.js';
import type { Telemetry } from './telemetry.js';
import { tracingAdapter } from './tracing-adapter.js';

// Bucket boundaries advised by the GenAI semantic conventions.
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** One gateway request's trace: its SERVER span, the attempts still open, the attempt that answered. */
interface RequestTrace {
  readonly server: Span;
  readonly parent: Context;
  attempts: number;
  /** Ends an attempt's span; the error is a thrown value or a catalogue code. */
  readonly open: Set<(error?: unknown) => void>;
  winner: AttemptScope | undefined;
  first: AttemptScope | undefined;
}

interface Instruments {
  readonly tokens: Histogram;
  readonly duration: Histogram;
  readonly firstChunk: Histogram;
  readonly spend: Counter;
  readonly savings: Counter;
}

export class OtelTelemetry implements Telemetry, AttemptTracer {
  readonly tracer: AttemptTracer | undefined;
  readonly #traces: BasicTracerProvider | undefined;
  readonly #meters: MeterProvider | undefined;
  readonly #spanTracer: Tracer | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #requests = new WeakMap<RequestContext, RequestTrace>();
  readonly #propagator = new W3CTraceContextPropagator();
  readonly #models: ReadonlySet<string>;
  readonly #routes: ReadonlySet<string>;

  constructor(gateway: Pick<GatewayConfig, 'models' | 'routes' | 'hash'>, config: TelemetryConfig, logger: Logger) {
    // The SDK reports failed exports through its (process-wide) diagnostic logger: into ours, warnings and errors only.
    const report = (message: string) => logger.warn(`opentelemetry: ${message}`);
    diag.setLogger({ error: report, warn: report, info: () => undefined, debug: () => undefined, verbose: () => undefined }, DiagLogLevel.WARN);
    this.#models = new Set(gateway.models.map((model) => model.id));
    this.#routes = new Set([...this.#models, ...gateway.routes.map((route) => route.id)]);
    const resource = resourceFromAttributes({ 'service.name': config.serviceName, 'tidegate.config_hash': gateway.hash });
    const exporterOptions = (path: string) => ({ url: config.endpoint ? `${config.endpoint}/${path}` : undefined, headers: { ...config.headers }, timeoutMillis: config.timeoutMs });
    if (config.traces) {
      this.#traces = new BasicTracerProvider({
        resource,
        sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(exporterOptions('v1/traces')), { scheduledDelayMillis: Math.min(5_000, config.exportIntervalMs) })],
      });
      this.#spanTracer = this.#traces.getTracer('tidegate');
      this.tracer = this;
    }
    if (config.metrics) {
      this.#meters = new MeterProvider({
        resource,
        readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(exporterOptions('v1/metrics')), exportIntervalMillis: config.exportIntervalMs, exportTimeoutMillis: Math.min(config.timeoutMs, config.exportIntervalMs) })],
      });
      const meter = this.#meters.getMeter('tidegate');
      this.#instruments = {
        tokens: meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Tokens billed per call, by gen_ai.token.type (input includes cached input).', advice: { explicitBucketBoundaries: TOKEN_BUCKETS } }),
        duration: meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'Time from request to last byte of a model call, as the gateway\'s caller saw it.', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
        firstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', { unit: 's', description: 'Time from request to the first streamed chunk.', advice: { explicitBucketBoundaries: DURATION_BUCKETS } }),
        spend: meter.createCounter('tidegate.spend', { unit: 'CNY', description: 'What model calls cost, in CNY.' }),
        savings: meter.createCounter('tidegate.savings', { unit: 'CNY', description: 'Saved against always using the flagship, in CNY, by tidegate.savings.source.' }),
      };
    }
  }

  // ── traces ────────────────────────────────────────────────────────────────────────────────────────

  /** The request's trace, begun when first needed: its SERVER span starts when the request did, under the caller's traceparent. */
  #request(context: RequestContext): RequestTrace {
    let request = this.#requests.get(context);
    if (request) return request;
    const carrier = context.traceparent ? { traceparent: context.traceparent, tracestate: context.tracestate } : {};
    const parent = this.#propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
    const server = this.#spanTracer!.startSpan(operationName(context), { kind: SpanKind.SERVER, startTime: context.startedAt }, parent);
    request = { server, parent, attempts: 0, open: new Set(), winner: undefined, first: undefined };
    this.#requests.set(context, request);
    return request;
  }

  async attempt<T>(context: RequestContext, target: Target, run: () => Promise<T>): Promise<T> {
    const request = this.#request(context);
    request.attempts += 1;
    const provider = genAiProviderName(target.provider.preset);
    const span = this.#spanTracer!.startSpan(`${operationName(context)} ${target.model.upstream}`, {
      kind: SpanKind.CLIENT,
      startTime: Date.now(), // every span on the wall clock the request's start was taken from
      attributes: {
        'gen_ai.operation.name': operationName(context),
        'gen_ai.provider.name': provider,
        'gen_ai.system': provider,
        'gen_ai.request.model': target.model.upstream,
        'tidegate.model': target.model.id,
        'tidegate.provider': target.provider.id,
        'tidegate.attempt': request.attempts,
      },
    }, trace.setSpan(ROOT_CONTEXT, request.server));
    const carrier: Record<string, string> = {};
    this.#propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    let returned = false;
    let completed = false;
    let ended = false;
    const end = (error?: unknown) => {
      if (ended) return;
      ended = true;
      request.open.delete(end);
      span.setAttributes({ ...exchangeAttributes(scope), ...usageAttributes(scope.usage) });
      if (scope.responseModel) span.setAttribute('gen_ai.response.model', scope.responseModel);
      if (scope.address) span.setAttributes({ 'server.address': scope.address, 'server.port': scope.port ?? 0 });
      if (error !== undefined) {
        const code = typeof error === 'string' ? error : asGatewayError(error).code;
        span.setAttribute('error.type', code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      }
      span.end(Date.now());
    };
    const scope: AttemptScope = {
      traceparent: carrier.traceparent ?? '',
      finishReasons: new Set(),
      complete: (error) => {
        if (returned || error !== undefined) end(error);
        else completed = true;
      },
    };
    request.first ??= scope;
    try {
      const result = await runInAttempt(scope, run);
      returned = true;
      request.winner = scope;
      if (completed) end();
      else request.open.add(end); // a stream: ended by the adapter wrapper when it finishes, else when the request does
      return result;
    } catch (error) {
      end(error ?? new Error('attempt failed'));
      throw error;
    }
  }

  wrap(adapter: ProviderAdapter): ProviderAdapter {
    return tracingAdapter(adapter);
  }

  #endTrace(context: RequestContext, row: RequestLogRow): void {
    const request = this.#request(context);
    this.#requests.delete(context);
    for (const end of [...request.open]) end(context.errorCode); // streams the adapter wrapper did not see end
    const { server } = request;
    server.updateName(`${operationName(context)} ${context.modelRequested || 'unknown'}`.slice(0, 200));
    server.setAttributes(serverSpanAttributes(context, row, request.winner ?? request.first));
    if (context.errorCode && context.status >= 500) server.setStatus({ code: SpanStatusCode.ERROR, message: context.errorCode });
    server.end(Date.now());
  }

  // ── metrics ───────────────────────────────────────────────────────────────────────────────────────

  #bounded(set: ReadonlySet<string>, value: string | null): string {
    return value === null || value === '' ? '' : set.has(value) ? value : OTHER;
  }

  #record(context: RequestContext, row: RequestLogRow): void {
    const instruments = this.#instruments!;
    const attributes: Attributes = {
      'gen_ai.operation.name': operationName(context),
      'gen_ai.request.model': this.#bounded(this.#routes, row.modelRequested),
      'tidegate.cache': row.cacheStatus,
    };
    if (context.served) {
      attributes['gen_ai.provider.name'] = genAiProviderName(context.served.provider.preset);
      attributes['gen_ai.response.model'] = this.#bounded(this.#models, row.modelServed);
      attributes['tidegate.provider'] = context.served.provider.id;
    }
    if (context.route) attributes['tidegate.route'] = context.route.id;
    const outcome: Attributes = { ...attributes, 'tidegate.status_class': statusClass(row.status) };
    if (row.errorCode) outcome['error.type'] = row.errorCode;
    instruments.duration.record(row.latencyMs / 1000, outcome);
    if (row.stream && row.firstByteMs !== null) instruments.firstChunk.record(row.firstByteMs / 1000, attributes);
    const input = row.usage.inputUncached + row.usage.cacheRead + row.usage.cacheWrite;
    if (input > 0) instruments.tokens.record(input, { ...attributes, 'gen_ai.token.type': 'input' });
    if (row.usage.output > 0) instruments.tokens.record(row.usage.output, { ...attributes, 'gen_ai.token.type': 'output' });
    if (row.costNanoCny > 0) instruments.spend.add(row.costNanoCny / 1e9, attributes);
    for (const [source, cny] of savingsBySource(row)) instruments.savings.add(cny, { ...attributes, 'tidegate.savings.source': source });
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────────────

  finish(context: RequestContext, row: RequestLogRow): void {
    if (this.#spanTracer) this.#endTrace(context, row);
    if (this.#instruments) this.#record(context, row);
  }

  async shutdown(): Promise<void> {
    await Promise.allSettled([this.#traces?.shutdown(), this.#meters?.shutdown()]);
  }
}
