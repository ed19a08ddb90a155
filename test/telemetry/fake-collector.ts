import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One OTLP/HTTP export as the collector received it. */
export interface Export {
  readonly path: string;
  readonly contentType: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: Buffer;
  /** The body when it was OTLP/JSON; protobuf bodies are kept raw only. */
  readonly json: any;
}

export interface OtlpAttribute { key: string; value: Record<string, any> }
export interface OtlpSpan {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number;
  startTimeUnixNano: string; endTimeUnixNano: string;
  attributes: OtlpAttribute[]; status?: { code?: number; message?: string };
}

export const SPAN_KIND = { SERVER: 2, CLIENT: 3 } as const;

/** A fake OpenTelemetry collector on a loopback port: accepts OTLP/HTTP in JSON and protobuf, answers 200. */
export class FakeCollector {
  readonly exports: Export[] = [];
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<FakeCollector> {
    let collector: FakeCollector | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        const contentType = String(request.headers['content-type'] ?? '');
        let json: unknown;
        if (contentType.includes('json')) json = JSON.parse(raw.toString('utf8'));
        else if (!contentType.includes('protobuf')) {
          response.writeHead(415).end();
          return;
        }
        collector!.exports.push({ path: request.url ?? '', contentType, headers: request.headers, raw, json });
        response.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
        response.end(contentType.includes('json') ? '{}' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    collector = new FakeCollector(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return collector;
  }

  /** Every byte received, for "never exported" checks. */
  allBytes(): string {
    return this.exports.map((entry) => entry.raw.toString('utf8')).join('\n');
  }

  spans(): OtlpSpan[] {
    return this.exports
      .filter((entry) => entry.path === '/v1/traces' && entry.json)
      .flatMap((entry) => entry.json.resourceSpans.flatMap((resource: any) => resource.scopeSpans.flatMap((scope: any) => scope.spans as OtlpSpan[])));
  }

  resources(): Array<Record<string, unknown>> {
    return this.exports.filter((entry) => entry.json).flatMap((entry) => [...(entry.json.resourceSpans ?? []), ...(entry.json.resourceMetrics ?? [])].map((resource: any) => attributes(resource.resource.attributes)));
  }

  /** Metric data points by metric name, over every metrics export (the last export of a cumulative metric holds its totals). */
  metrics(): Map<string, { unit: string; kind: string; points: Array<{ attributes: Record<string, unknown>; value: any }> }> {
    const metrics = new Map<string, { unit: string; kind: string; points: Array<{ attributes: Record<string, unknown>; value: any }> }>();
    for (const entry of this.exports.filter((candidate) => candidate.path === '/v1/metrics' && candidate.json)) {
      for (const resource of entry.json.resourceMetrics) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) {
            const kind = metric.histogram ? 'histogram' : metric.sum ? 'sum' : 'gauge';
            const points = (metric.histogram ?? metric.sum ?? metric.gauge).dataPoints.map((point: any) => ({ attributes: attributes(point.attributes), value: point }));
            metrics.set(metric.name, { unit: metric.unit, kind, points }); // later exports replace earlier (cumulative)
          }
        }
      }
    }
    return metrics;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function scalar(value: Record<string, any>): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(scalar);
  return undefined;
}

/** OTLP attributes as a plain object. */
export function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((attribute) => [attribute.key, scalar(attribute.value)]));
}
