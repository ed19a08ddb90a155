import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand, teamsCommand } from '../../src/cli/keys-command.js';
import { adminKey, createKey, eventually, setTeam, startFleet, type Fleet } from './cluster-harness.js';

/**
 * Key and team changes reach other nodes' caches through Redis pub/sub at once; the cache expiry (the poll)
 * still applies them when pub/sub is unreachable. Node A runs in this process, the others in processes of
 * their own. Their caches are kept 60 s, so within the few seconds these tests wait only a notice can explain
 * a refusal.
 */

const longTtl = 'keyCacheTtlMs: 60000';
let fleet: Fleet;
let dir: string;
const children: ChildProcess[] = [];

function startNodeProcess(name: string, yaml: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const child = spawn(process.execPath, ['node_modules/vite-node/vite-node.mjs', 'test/cluster/fixtures/gateway-node.ts', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /LISTENING (\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`gateway process ${name} exited with ${code}`)));
  });
}

async function chatStatus(url: string, key: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'deepseek-flash', max_tokens: 16, messages: [{ role: 'user', content: 'hello' }] }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

const refusedWith = (url: string, key: string, code: string) => async () => (await chatStatus(url, key)).code === code;

/** Runs the CLI as an operator would, against the fleet's config file. */
async function cli(command: typeof keysCommand, args: string[]): Promise<number> {
  const file = join(dir, 'cli.yaml');
  writeFileSync(file, fleet.yaml(longTtl));
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await command([...args, '--config', file]);
  } finally {
    process.stdout.write = write;
  }
}

let nodeB: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidegate-notices-'));
  fleet = await startFleet(1, { cluster: longTtl });
  nodeB = await startNodeProcess('b', fleet.yaml(longTtl));
}, 40_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await fleet?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('change notices between nodes', () => {
  it('a key revoked on node A is refused by node B at once, though B cached it for 60 s', async () => {
    const nodeA = fleet.nodes[0]!;
    const { id, key } = await createKey(nodeA, { name: 'revoked-on-a' });
    expect(await chatStatus(nodeB, key)).toEqual({ status: 200, code: undefined }); // cached on B now
    const revoked = await fetch(`${nodeA.url}/admin/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    expect(revoked.status).toBe(200);
    expect(await eventually(refusedWith(nodeB, key, 'invalid_api_key'), 5_000)).toBe(true);
    expect(await chatStatus(nodeA.url, key)).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('limits changed with the CLI (a key, a team) apply on every node at once', async () => {
    const nodeA = fleet.nodes[0]!;
    await setTeam(nodeA, 'notice-team', {});
    const single = await createKey(nodeA, { name: 'limited-by-cli' });
    const member = await createKey(nodeA, { name: 'team-member', team: 'notice-team' });
    for (const key of [single.key, member.key]) expect((await chatStatus(nodeB, key)).status).toBe(200);

    // A budget far below one request's reservation: the next request is refused, if the node knows.
    expect(await cli(keysCommand, ['update', single.id, '--daily-budget', '0.000001'])).toBe(0);
    expect(await eventually(refusedWith(nodeB, single.key, 'budget_exceeded'), 5_000)).toBe(true);
    expect(await cli(teamsCommand, ['set', 'notice-team', '--daily-budget', '0.000001'])).toBe(0);
    expect(await eventually(refusedWith(nodeB, member.key, 'budget_exceeded'), 5_000)).toBe(true);
    expect(await eventually(refusedWith(nodeA.url, member.key, 'budget_exceeded'), 5_000)).toBe(true);
  });

  it('without pub/sub, the cache expiry still applies a revocation', async () => {
    const nodeA = fleet.nodes[0]!;
    // Node C reaches no Redis at all (nothing listens on port 1), and keeps keys 1.5 s.
    const nodeC = (await fleet.addNode({ redisUrl: 'redis://127.0.0.1:1/14', cluster: 'keyCacheTtlMs: 1500' })).url;
    const { id, key } = await createKey(nodeA, { name: 'revoked-without-pubsub' });
    expect((await chatStatus(nodeC, key)).status).toBe(200);
    await fetch(`${nodeA.url}/admin/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    expect(await eventually(refusedWith(nodeC, key, 'invalid_api_key'), 10_000)).toBe(true);
  }, 30_000);
});
