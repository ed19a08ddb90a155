import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack } from '../e2e/harness.js';
import { FakeCollector } from './fake-collector.js';

let collector: FakeCollector;
beforeAll(async () => {
  collector = await FakeCollector.start();
});
afterAll(async () => collector?.close());

function probe(mode: 'on' | 'off'): Promise<{ status: number; resolvedUrls: number; otelModules: number; sample: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './test/telemetry/fixtures/record-imports.mjs', 'node_modules/vite-node/vite-node.mjs', 'test/telemetry/fixtures/module-probe.ts', mode, collector.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((candidate) => candidate.startsWith('PROBE '));
      if (code !== 0 || !line) reject(new Error(`probe exited ${code}: ${out}`));
      else resolve(JSON.parse(line.slice(6)));
    });
  });
}

describe('telemetry off (the default)', () => {
  it('loads no @opentelemetry module, even after serving a request; turned on, it does', async () => {
    const off = await probe('off');
    expect(off.status).toBe(200);
    expect(off.resolvedUrls).toBeGreaterThan(10); // the recorder saw the gateway's own imports
    expect(off.otelModules).toBe(0);
    const on = await probe('on'); // the control: the probe can see them when they are loaded
    expect(on.status).toBe(200);
    expect(on.otelModules).toBeGreaterThan(0);
    expect(on.sample.join(' ')).toContain('@opentelemetry/');
  }, 120_000);

  it('sends nothing, even with OTEL_EXPORTER_OTLP_ENDPOINT set in the environment', async () => {
    const before = collector.exports.length;
    const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.url;
    try {
      const stack = await startStack((simulator) => `
providers:
  - { id: deepseek, preset: deepseek, baseUrl: "${simulator.baseUrlFor('deepseek')}", apiKey: sk-x }
models:
  - { id: deepseek-flash, provider: deepseek }
`);
      const answer = await stack.openai.chat.completions.create({ model: 'deepseek-flash', messages: [{ role: 'user', content: 'hi' }] });
      expect(answer.choices[0]?.message.content).toBeTruthy();
      expect(stack.simulator.requests.at(-1)?.headers.traceparent).toBeUndefined();
      await stack.close();
    } finally {
      if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    }
    expect(collector.exports.length).toBe(before);
  });
});
