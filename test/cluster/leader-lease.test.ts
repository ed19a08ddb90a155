import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaderLease, LeaseLostError } from '../../src/cluster/leader-lease.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';
import { targets } from '../storage/storage-targets.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const postgres = targets.find((target) => target.name === 'postgres')!;
const sqlite = targets.find((target) => target.name === 'sqlite')!;

/** Three "nodes": each its own connection pool on one PostgreSQL schema, as separate processes would be. */
async function nodesOn(url: string, count: number): Promise<Database[]> {
  const first = await openDatabase(url);
  await migrate(first);
  await sql`create table if not exists job_runs (epoch bigint not null, holder text not null, at bigint not null)`.execute(first.db);
  const others = await Promise.all(Array.from({ length: count - 1 }, () => openDatabase(url)));
  return [first, ...others];
}

const opened: Array<{ databases: Database[]; cleanup(): Promise<void> }> = [];
afterEach(async () => {
  for (const { databases, cleanup } of opened.splice(0)) {
    for (const database of databases) await database.close();
    await cleanup();
  }
});

async function fleet(count: number, target = postgres): Promise<Database[]> {
  const store = target.fresh();
  const databases = await nodesOn(store.url, count);
  opened.push({ databases, cleanup: store.cleanup });
  return databases;
}

const runs = async (database: Database) =>
  (await sql<{ epoch: number; holder: string }>`select epoch, holder from job_runs order by at`.execute(database.db)).rows.map((row) => ({ epoch: Number(row.epoch), holder: row.holder }));

describe('leader lease on PostgreSQL', () => {
  it('of three nodes trying at once exactly one is leader; the others get nothing until it expires or is released', async () => {
    const databases = await fleet(3);
    const leases = databases.map((database, index) => new LeaderLease(database, { name: 'retention', holder: `node-${index}`, ttlMs: 10_000 }));
    const epochs = await Promise.all(leases.map((lease) => lease.tryAcquire()));
    expect(epochs.filter((epoch) => epoch !== null)).toEqual([1]);
    const leader = leases.find((lease) => lease.isLeader())!;
    expect(await leader.renew()).toBe(true);
    await leader.release();
    const next = leases.find((lease) => lease !== leader)!;
    expect(await next.tryAcquire()).toBe(2);
  });

  it('a leader that stops renewing loses the lease after its TTL; its fenced writes are refused, the new leader’s go through', async () => {
    const [a, b] = await fleet(2);
    const stale = new LeaderLease(a!, { name: 'rollup', holder: 'node-a', ttlMs: 200 });
    const fresh = new LeaderLease(b!, { name: 'rollup', holder: 'node-b', ttlMs: 200 });
    expect(await stale.tryAcquire()).toBe(1);
    await stale.fenced((trx, epoch) => sql`insert into job_runs values (${epoch}, 'node-a', 1)`.execute(trx));
    expect(await fresh.tryAcquire()).toBeNull(); // still held
    await sleep(250); // node-a stalls (GC pause, network partition) past its TTL
    expect(await fresh.tryAcquire()).toBe(2);
    // node-a wakes up still believing it leads: the epoch check under the row lock refuses its write.
    await expect(stale.fenced((trx, epoch) => sql`insert into job_runs values (${epoch}, 'node-a', 2)`.execute(trx))).rejects.toBeInstanceOf(LeaseLostError);
    expect(stale.isLeader()).toBe(false);
    await fresh.fenced((trx, epoch) => sql`insert into job_runs values (${epoch}, 'node-b', 3)`.execute(trx));
    expect(await runs(a!)).toEqual([{ epoch: 1, holder: 'node-a' }, { epoch: 2, holder: 'node-b' }]);
    expect(await stale.renew()).toBe(false);
  });

  it('three nodes running a job every 20 ms: one runner at a time, a killed leader is replaced within the TTL, epochs only grow', async () => {
    const databases = await fleet(3);
    const ttlMs = 300;
    const leases = databases.map((database, index) => new LeaderLease(database, { name: 'batch-runner', holder: `node-${index}`, ttlMs, renewMs: 50 }));
    for (const lease of leases) lease.start();
    let tick = 0;
    const job = setInterval(() => {
      for (const [index, lease] of leases.entries()) {
        void lease.ifLeader((epoch) => lease.fenced((trx) => sql`insert into job_runs values (${epoch}, ${`node-${index}`}, ${(tick += 1)})`.execute(trx)));
      }
    }, 20);
    try {
      await sleep(300);
      const first = leases.find((lease) => lease.isLeader())!;
      expect(leases.filter((lease) => lease.isLeader())).toHaveLength(1);
      const killedAt = Date.now();
      await first.stop(false); // SIGKILL: no release, the row stays until it expires
      let takeoverMs = -1;
      while (Date.now() - killedAt < 3 * ttlMs) {
        if (leases.some((lease) => lease !== first && lease.isLeader())) {
          takeoverMs = Date.now() - killedAt;
          break;
        }
        await sleep(10);
      }
      expect(takeoverMs).toBeGreaterThan(0);
      expect(takeoverMs).toBeLessThanOrEqual(ttlMs + 100);
      console.log(`leader killed: taken over after ${takeoverMs} ms (TTL ${ttlMs} ms, renew every 50 ms)`);
      await sleep(200);
    } finally {
      clearInterval(job);
      await Promise.all(leases.map((lease) => lease.stop()));
    }
    const rows = await runs(databases[0]!);
    expect(rows.length).toBeGreaterThan(10);
    // Rows in commit order: each epoch belongs to one holder, and epochs never go back.
    const holderOf = new Map<number, string>();
    let previous = 0;
    for (const row of rows) {
      expect(holderOf.get(row.epoch) ?? row.holder).toBe(row.holder);
      holderOf.set(row.epoch, row.holder);
      expect(row.epoch).toBeGreaterThanOrEqual(previous);
      previous = row.epoch;
    }
    expect(holderOf.size).toBeGreaterThanOrEqual(2);
  });
});

describe('leader lease takeover time with the default renewal period (TTL / 3)', () => {
  it('a leader killed right after renewing is replaced one TTL later, not up to a renewal period after that', async () => {
    const [a, b] = await fleet(2);
    const ttlMs = 1_500; // renewals every 500 ms: a follower's regular tries alone could land up to 500 ms after expiry
    const leader = new LeaderLease(a!, { name: 'batch-runner', holder: 'node-a', ttlMs });
    const follower = new LeaderLease(b!, { name: 'batch-runner', holder: 'node-b', ttlMs });
    leader.start();
    await sleep(100);
    expect(leader.isLeader()).toBe(true);
    follower.start();
    try {
      await sleep(120); // the follower's regular tries fall at +0, +500, …: the expiry lands 380 ms before one
      expect(await leader.renew()).toBe(true);
      const renewedAt = Date.now();
      await leader.stop(false); // SIGKILL right after a renewal: the row stays a whole TTL
      while (!follower.isLeader() && Date.now() - renewedAt < 3 * ttlMs) await sleep(5);
      const takeoverMs = Date.now() - renewedAt;
      console.log(`killed right after renewing: taken over ${takeoverMs} ms later (TTL ${ttlMs} ms, renewals every ${follower.renewMs} ms)`);
      expect(follower.isLeader()).toBe(true);
      expect(takeoverMs).toBeGreaterThanOrEqual(ttlMs - 50);
      expect(takeoverMs).toBeLessThanOrEqual(ttlMs + 250);
    } finally {
      await follower.stop();
    }
  });
});

describe('leader lease on SQLite (one node)', () => {
  it('the only node is leader at once, and fenced writes work the same way', async () => {
    const [database] = await fleet(1, sqlite);
    const lease = new LeaderLease(database!, { name: 'retention', holder: 'solo', ttlMs: 1_000 });
    expect(await lease.tryAcquire()).toBe(1);
    expect(lease.isLeader()).toBe(true);
    await lease.fenced((trx, epoch) => sql`insert into job_runs values (${epoch}, 'solo', 1)`.execute(trx));
    // A restart with the same node id takes its own lease back at once, with a new epoch.
    const restarted = new LeaderLease(database!, { name: 'retention', holder: 'solo', ttlMs: 1_000 });
    expect(await restarted.tryAcquire()).toBe(2);
    await expect(lease.fenced(async () => undefined)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await runs(database!)).toEqual([{ epoch: 1, holder: 'solo' }]);
  });
});
