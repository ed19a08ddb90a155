import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/index.js';

const base = `providers:
  - id: deepseek
    preset: deepseek
models:
  - { id: deepseek-flash, provider: deepseek }
`;

function problems(text: string, env: Record<string, string> = {}): string {
  try {
    parseConfigText(text, 'tidegate.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('telemetry configuration', () => {
  it('is off by default', () => {
    expect(parseConfigText(base, 'tidegate.yaml', {}).telemetry).toBeUndefined();
    expect(parseConfigText(`telemetry: {}\n${base}`, 'tidegate.yaml', {}).telemetry).toBeUndefined();
    expect(parseConfigText(`telemetry:\n  otlp: { enabled: false, endpoint: "http://127.0.0.1:4318" }\n${base}`, 'tidegate.yaml', {}).telemetry).toBeUndefined();
    expect(parseConfigText(`telemetry:\n  otlp: { traces: false, metrics: false }\n${base}`, 'tidegate.yaml', {}).telemetry).toBeUndefined();
  });

  it('takes the OTLP block with defaults, frozen, with ${VAR} interpolation', () => {
    const config = parseConfigText(`telemetry:\n  otlp:\n    endpoint: "\${OTEL_ENDPOINT}/"\n    headers: { x-honeycomb-team: "\${OTEL_TOKEN}" }\n    sampleRatio: "\${OTEL_RATIO:-0.25}"\n${base}`, 'tidegate.yaml', { OTEL_ENDPOINT: 'http://collector:4318', OTEL_TOKEN: 'tok-123' });
    expect(config.telemetry).toEqual({
      endpoint: 'http://collector:4318',
      headers: { 'x-honeycomb-team': 'tok-123' },
      traces: true,
      metrics: true,
      sampleRatio: 0.25,
      exportIntervalMs: 60_000,
      timeoutMs: 10_000,
      serviceName: 'tidegate',
    });
    expect(Object.isFrozen(config.telemetry)).toBe(true);
    expect(Object.isFrozen(config.telemetry!.headers)).toBe(true);
    // Switched by a variable, as other blocks are.
    expect(parseConfigText(`telemetry:\n  otlp: { enabled: "\${OTEL_ON:-false}" }\n${base}`, 'tidegate.yaml', {}).telemetry).toBeUndefined();
    expect(parseConfigText(`telemetry:\n  otlp: { enabled: "\${OTEL_ON:-false}" }\n${base}`, 'tidegate.yaml', { OTEL_ON: 'true' }).telemetry?.endpoint).toBeUndefined();
  });

  it('keeps the collector headers out of the config hash', () => {
    const hash = (token: string) => parseConfigText(`telemetry:\n  otlp: { headers: { authorization: "Bearer ${token}" } }\n${base}`, 'tidegate.yaml', {}).hash;
    expect(hash('one')).toBe(hash('two'));
    expect(hash('one')).not.toBe(parseConfigText(base, 'tidegate.yaml', {}).hash);
  });

  it('rejects unknown keys and bad values with the place and how to fix them', () => {
    expect(problems(`telemetry:\n  otlp: { endpoint: "http://127.0.0.1:4318", sample_ratio: 0.5 }\n${base}`)).toMatch(/tidegate\.yaml:2:\d+: unknown key "sample_ratio" in telemetry\.otlp \(did you mean "sampleRatio"\?\)/);
    expect(problems(`telemetry:\n  jaeger: {}\n${base}`)).toMatch(/unknown key "jaeger" in telemetry \(allowed keys: otlp\)/);
    expect(problems(`telemetry:\n  otlp: { endpoint: "grpc://127.0.0.1:4317" }\n${base}`)).toMatch(/telemetry\.otlp\.endpoint: must be the collector's OTLP\/HTTP base URL such as http:\/\/127\.0\.0\.1:4318/);
    expect(problems(`telemetry:\n  otlp: { sampleRatio: 2 }\n${base}`)).toMatch(/telemetry\.otlp\.sampleRatio: must be at most 1, got number 2/);
    expect(problems(`telemetry:\n  otlp: { traces: maybe }\n${base}`)).toMatch(/telemetry\.otlp\.traces: expected true or false/);
    expect(problems(`telemetry:\n  otlp: { exportIntervalMs: 5 }\n${base}`)).toMatch(/telemetry\.otlp\.exportIntervalMs: must be at least 100, got number 5/);
    expect(problems(`telemetry:\n  otlp: { endpoint: "\${OTEL_ENDPOINT}" }\n${base}`)).toMatch(/environment variable OTEL_ENDPOINT is not set/);
  });
});
