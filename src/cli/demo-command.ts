import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfigText } from '../config/index.js';
import { startGateway } from '../gateway.js';
import { silentLogger } from '../logging/logger.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { createProgress } from './progress.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

export const usage = `usage: tidegate demo [--requests N] [--json] [--config FILE]
  start the gateway in front of simulated providers, send N mixed requests (default 24) and show what it did.
  --config is accepted for uniformity and ignored: the demo always runs its own simulated configuration.
`;

const simulatedPresets = ['deepseek', 'qwen', 'doubao', 'kimi', 'glm', 'anthropic'];

function demoConfig(simulator: Simulator, dir: string): string {
  const providers = simulatedPresets
    .map((preset) => `  - { id: ${preset}-simulated, preset: ${preset}, baseUrl: "${simulator.baseUrlFor(preset)}", apiKey: simulated, retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200 } }`)
    .join('\n');
  return `server: { port: 0 }
storage: { url: "sqlite:${join(dir, 'demo.db')}" }
providers:
${providers}
models:
  - { id: deepseek-v4-pro, provider: deepseek-simulated, fallbacks: [qwen-max] }
  - { id: deepseek-flash, provider: deepseek-simulated }
  - { id: qwen-max, provider: qwen-simulated }
  - { id: qwen-flash, provider: qwen-simulated }
  - { id: doubao-seed-1-6-flash-250615, provider: doubao-simulated }
  - { id: kimi-k2.5, provider: kimi-simulated, fallbacks: [deepseek-flash] }
  - { id: glm-4-flash, provider: glm-simulated }
  - { id: claude-haiku-4-5, provider: anthropic-simulated }
  - { id: text-embedding-v3, provider: qwen-simulated }
`;
}

interface Job {
  label: string;
  model: string;
  path: '/v1/chat/completions' | '/v1/embeddings' | '/v1/messages' | '/v1/responses';
  body: Record<string, unknown>;
}

function workload(size: number): Job[] {
  const prompts = ['用一句话介绍杭州', 'Summarise the meeting notes', '把这句话翻译成英文：今天天气很好', 'What is 17 × 23?', '写一首关于潮汐的短诗'];
  const shapes: Array<(index: number) => Job> = [
    (i) => ({ label: 'chat', model: 'deepseek-flash', path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: prompts[i % prompts.length] }] } }),
    (i) => ({ label: 'chat, streamed', model: 'qwen-flash', path: '/v1/chat/completions', body: { stream: true, messages: [{ role: 'user', content: prompts[i % prompts.length] }] } }),
    () => ({ label: 'tool call', model: 'doubao-seed-1-6-flash-250615', path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'What is the weather in Beijing?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }] } }),
    (i) => ({ label: 'flagship (retried)', model: 'deepseek-v4-pro', path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: prompts[i % prompts.length] }] } }),
    () => ({ label: 'fallback', model: 'kimi-k2.5', path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: '长文档总结' }] } }),
    () => ({ label: 'Anthropic API in', model: 'glm-4-flash', path: '/v1/messages', body: { max_tokens: 200, messages: [{ role: 'user', content: 'Hello from the Anthropic SDK' }] } }),
    () => ({ label: 'Anthropic out', model: 'claude-haiku-4-5', path: '/v1/chat/completions', body: { messages: [{ role: 'user', content: 'Explain tides' }] } }),
    () => ({ label: 'embeddings', model: 'text-embedding-v3', path: '/v1/embeddings', body: { input: ['潮汐', 'tide gate'] } }),
    () => ({ label: 'Responses API in', model: 'qwen-flash', path: '/v1/responses', body: { instructions: 'Answer in one sentence.', input: '潮汐是怎么形成的？' } }),
  ];
  return Array.from({ length: size }, (_, index) => shapes[index % shapes.length]!(index));
}

/** tidegate demo: the gateway in front of simulated providers, a short mixed workload, and what it cost. */
export async function demoCommand(argv: string[]): Promise<number> {
  // --config is accepted like every command's, but the demo's providers are always the simulated ones.
  const { values } = parseArgs({ args: argv, options: { requests: { type: 'string', default: '24' }, json: { type: 'boolean' }, config: { type: 'string' } } });
  const size = Number(values.requests);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new UsageError(`--requests must be a whole number from 1 to 10000, got ${values.requests}`);
  const simulator = await startSimulator({ latencyMs: 20, tokenDelayMs: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-demo-'));
  const gateway = await startGateway(parseConfigText(demoConfig(simulator, dir), 'demo (simulated providers)', {}), { logger: silentLogger, cwd: dir });
  const rows: Array<{ label: string; model: string; served: string; provider: string; status: number; attempts: string; cost: string; ms: number; reason: string }> = [];
  try {
    if (!values.json) process.stderr.write(`Tidegate demo: SIMULATED providers on ${simulator.url}, gateway on ${gateway.url}\n`);
    const jobs = workload(size);
    // Show the stability features: the flagship is rate limited once (Retry-After 1 s); Kimi is out of balance.
    let rateLimited = false;
    simulator.script('kimi', Array.from({ length: size }, () => ({ kind: 'error' as const, status: 402, error: 'insufficient_balance' as const })));
    const progress = createProgress(jobs.length, 'sending');
    for (const [index, job] of jobs.entries()) {
      if (job.model === 'deepseek-v4-pro' && !rateLimited) {
        rateLimited = true;
        simulator.script('deepseek', [{ kind: 'error', status: 429, error: 'rate_limit', retryAfter: '1' }]);
      }
      const started = performance.now();
      const response = await fetch(`${gateway.url}${job.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: job.model, ...job.body }) });
      const text = await response.text();
      const streamedCost = /"cost_cny":"([\d.]+)"/.exec(text)?.[1];
      rows.push({
        label: job.label,
        model: job.model,
        served: response.headers.get('x-tidegate-model') ?? '-',
        provider: `${response.headers.get('x-tidegate-provider') ?? '-'}`,
        status: response.status,
        attempts: response.headers.get('x-tidegate-attempts') ?? '1',
        cost: response.headers.get('x-tidegate-cost-cny') ?? streamedCost ?? '0',
        ms: Math.round(performance.now() - started),
        reason: decodeURI(response.headers.get('x-tidegate-route-reason') ?? (response.ok ? '-' : text.slice(0, 60))),
      });
      progress.update(index + 1, job.label);
    }
  } finally {
    await gateway.close();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const total = rows.reduce((sum, row) => sum + Number(row.cost), 0);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ simulated: true, requests: rows, total_cost_cny: total.toFixed(9) }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`\n${formatTable(
    ['#', 'request', 'model asked', 'served by', 'provider (simulated)', 'status', 'attempts', 'cost ¥', 'ms', 'why'],
    rows.map((row, index) => [index + 1, row.label, row.model, row.served, row.provider, row.status, row.attempts, row.cost, row.ms, row.reason]),
  )}\n`);
  const byProvider = new Map<string, { requests: number; cost: number }>();
  for (const row of rows) {
    const entry = byProvider.get(row.provider) ?? { requests: 0, cost: 0 };
    entry.requests += 1;
    entry.cost += Number(row.cost);
    byProvider.set(row.provider, entry);
  }
  process.stdout.write(`\n${formatTable(['provider (simulated)', 'requests', 'cost ¥'], [...byProvider].map(([provider, entry]) => [provider, entry.requests, entry.cost.toFixed(6)]))}\n`);
  process.stdout.write(`\nTotal: ${rows.length} requests, ¥${total.toFixed(6)} at list prices. All providers were SIMULATED; no real API was called.\n`);
  return 0;
}
