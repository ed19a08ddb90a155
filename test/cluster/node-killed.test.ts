import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCnyToNano } from '../../src/pricing/cost.js';
import { createKey, eventually, startFleet, type Fleet } from './cluster-harness.js';
import { redisClient } from './redis-fixtures.js';

const holdTtlMs = 1_500;
let fleet: Fleet;
let dir: string;
let child: ChildProcess | undefined;

/** The message of the budget_exceeded refusal a request gets now. */
async function refusal(url: string, key: string): Promise<string> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'deepseek-flash', max_tokens: 64, messages: [{ role: 'user', content: 'one more' }] }),
  });
  const body = (await response.json()) as { error?: { code: string; message: string } };
  expect(body.error?.code).toBe('budget_exceeded');
  return body.error!.message;
}

function startGatewayProcess(configFile: string): Promise<string> {
  child = spawn(process.execPath, ['node_modules/vite-node/vite-node.mjs', 'test/cluster/fixtures/gateway-node.ts', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let seen = '';
    child!.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /LISTENING (\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child!.once('exit', (code) => reject(new Error(`gateway process exited with ${code}`)));
  });
}

beforeAll(async () => {
  fleet = await startFleet(1, { cluster: `holdTtlMs: ${holdTtlMs}` });
  dir = mkdtempSync(join(tmpdir(), 'tidegate-cluster-kill-'));
}, 30_000);
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a node killed with SIGKILL mid-request', () => {
  it('leaks its holds only until they expire; then they are released and charged in full', async () => {
    const survivor = fleet.nodes[0]!;
    // Five holds fit in the budget, a sixth does not.
    const { id, key } = await createKey(survivor, { name: 'killed-node', daily_budget_cny: '0.0015' });
    const configFile = join(dir, 'node.yaml');
    writeFileSync(configFile, fleet.yaml(`holdTtlMs: ${holdTtlMs}`));
    const url = await startGatewayProcess(configFile);
    fleet.simulator.script('deepseek', Array.from({ length: 5 }, () => ({ kind: 'delay' as const, ms: 30_000 })));
    const doomed = Array.from({ length: 5 }, (_, i) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'deepseek-flash', max_tokens: 64, messages: [{ role: 'user', content: `Request number ${i}` }] }),
      }).catch(() => undefined),
    );
    const redis = redisClient();
    try {
      const stateKey = `{${fleet.prefix}}:budget:key:${id}:state`;
      // Wait until the five holds are in Redis and the calls upstream (the child's first call loads tokenizers).
      expect(await eventually(async () => fleet.simulator.requests.length >= 5, 20_000)).toBe(true);
      const heldBefore = Number(await redis.hget(stateKey, 'held'));
      expect(heldBefore).toBeGreaterThan(parseCnyToNano('0.0012'));
      child!.kill('SIGKILL');
      const killedAt = Date.now();
      await Promise.all(doomed);
      const held = `¥${(heldBefore / 1e9).toFixed(6).replace(/0+$/, '')}`;
      // The dead node's holds still count: the survivor refuses, naming them as held in flight.
      const early = await refusal(survivor.url, key);
      expect(early).toContain(`${held} held by requests in flight`);
      let releasedAfterMs = -1;
      while (Date.now() - killedAt < holdTtlMs * 3) {
        const message = await refusal(survivor.url, key);
        if (message.includes('¥0 held by requests in flight')) {
          releasedAfterMs = Date.now() - killedAt;
          // Charged in full: the provider may have billed the calls the dead node made.
          expect(message).toContain(`spent ${held}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      console.log(`node SIGKILLed holding ${held}: holds released and charged ${releasedAfterMs} ms later (hold TTL ${holdTtlMs} ms)`);
      expect(releasedAfterMs).toBeGreaterThan(0);
      expect(releasedAfterMs).toBeLessThan(holdTtlMs + 1_000);
      expect(Number(await redis.hget(stateKey, 'held'))).toBe(0);
      expect(Number(await redis.hget(stateKey, 'sd'))).toBe(heldBefore);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
