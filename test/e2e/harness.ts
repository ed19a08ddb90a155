import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { parseConfigText, type GatewayConfig } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { silentLogger } from '../../src/logging/logger.js';
import type { LearnedRouter } from '../../src/routing/router-service.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';

export interface Stack {
  simulator: Simulator;
  config: GatewayConfig;
  gateway: RunningGateway;
  openai: OpenAI;
  anthropic: Anthropic;
  dir: string;
  close(): Promise<void>;
}

/** Provider block for a preset served by the simulator, with fast retries so tests stay quick. */
export function simulatedProvider(simulator: Simulator, preset: string, extra = ''): string {
  return `
  - id: ${preset}
    preset: ${preset}
    baseUrl: ${simulator.baseUrlFor(preset)}
    apiKey: sk-simulated-${preset}
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 5000 }
    timeouts: { connectMs: 2000, firstByteMs: 3000, idleMs: 3000 }${extra}`;
}

/**
 * A simulator plus a gateway configured from YAML text (the real config loader), on SQLite in a
 * temporary directory, with official OpenAI and Anthropic clients pointed at it.
 */
export async function startStack(configFor: (simulator: Simulator) => string, options: { apiKey?: string; router?: LearnedRouter | null; now?: () => number } = {}): Promise<Stack> {
  const simulator = await startSimulator();
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-e2e-'));
  const body = configFor(simulator);
  const server = /^server:/m.test(body) ? '' : 'server: { port: 0 }\n';
  const requestLog = /^requestLog:/m.test(body) ? '' : 'requestLog: { flushIntervalMs: 10 }\n';
  const text = `${server}${requestLog}storage: { url: "sqlite:${join(dir, 'tidegate.db')}" }\n${body}`;
  const config = parseConfigText(text, 'e2e.yaml', {});
  const gateway = await startGateway(config, { logger: silentLogger, cwd: dir, router: options.router, now: options.now });
  const apiKey = options.apiKey ?? 'unused-in-open-mode';
  return {
    simulator,
    config,
    gateway,
    dir,
    openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gateway.url, apiKey, maxRetries: 0 }),
    async close() {
      await gateway.close();
      await simulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Send raw HTTP to the gateway (for bad-input tests the SDKs would refuse to send). */
export async function raw(stack: Stack, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${stack.gateway.url}${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, json };
}

/** Upstream calls per batch line, read from the prompt ("line 17") each call carried to the simulator. */
export function upstreamCallsPerLine(simulator: Simulator): Map<number, number> {
  const counts = new Map<number, number>();
  for (const request of simulator.requests) {
    const content = (request.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages?.[0]?.content;
    const match = typeof content === 'string' ? /^line (\d+)$/.exec(content) : null;
    if (match) counts.set(Number(match[1]), (counts.get(Number(match[1])) ?? 0) + 1);
  }
  return counts;
}
