import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

/** The README's "Learning from traffic" example, run as written: its config, its client calls, its commands. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const example = /<!-- flywheel-example -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
const commands = /<!-- flywheel-commands -->\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
let stack: Stack;
let client: OpenAI;
let configFile: string;

beforeAll(async () => {
  stack = await startStack((simulator) => `${example}
providers:${simulatedProvider(simulator, 'deepseek')}
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
`, { router: null });
  client = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: 'x', maxRetries: 0 });
  configFile = join(stack.dir, 'tidegate.yaml');
  writeFileSync(configFile, `storage: { url: "sqlite:${join(stack.dir, 'tidegate.db')}" }\n${example}\nproviders: [{ id: deepseek, preset: deepseek, apiKey: sk-x }]\nmodels: [{ id: deepseek-flash, provider: deepseek, tier: light }, { id: deepseek-v4-pro, provider: deepseek, tier: flagship }]\n`);
});
afterAll(async () => stack?.close());

async function cli(line: string): Promise<{ code: number; stdout: string }> {
  const args = line.replace(/^npx tidegate /, '').split(/\s+/);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  try {
    return { code: await main([...args.map((arg) => (arg.endsWith('.jsonl') ? join(stack.dir, arg) : arg)), '--config', configFile]), stdout };
  } finally {
    spy.mockRestore();
  }
}

describe('README: learning from traffic', () => {
  it('the example config, client calls and commands work as written', async () => {
    expect(example).toBeDefined();
    expect(commands).toBeDefined();
    const { response } = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: '我的快递三天没动了' }] }, { headers: { 'x-tidegate-scenario': 'support' } })
      .withResponse();
    const inferenceId = response.headers.get('x-tidegate-request-id');
    const resolved = await client.post<{ id: string; duplicate: boolean }>('/feedback', { body: { inference_id: inferenceId, metric: 'resolved', value: true } });
    expect(resolved.duplicate).toBe(false);
    await client.post('/feedback', { body: { inference_id: inferenceId, metric: 'demonstration', value: '抱歉让您久等，我马上为您催促快递。' } });
    await stack.gateway.services.flywheel!.writer.flush();

    const outputs: string[] = [];
    for (const line of commands!.trim().split('\n')) {
      const { code, stdout } = await cli(line);
      expect(code, line).toBe(0);
      outputs.push(stdout);
    }
    expect(outputs[0]).toContain('Dataset support-v1: 1 train, 0 eval');
    const sft = JSON.parse(readFileSync(join(stack.dir, 'support-train.jsonl'), 'utf8'));
    expect(sft.messages.at(-1)).toEqual({ role: 'assistant', content: '抱歉让您久等，我马上为您催促快递。' });
    const dpo = JSON.parse(readFileSync(join(stack.dir, 'support-dpo.jsonl'), 'utf8'));
    expect(dpo).toEqual([{ user: '我的快递三天没动了', chosen: '抱歉让您久等，我马上为您催促快递。', rejected: expect.any(String) }]);
  });
});
