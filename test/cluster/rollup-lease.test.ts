import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/index.js';
import { eventually, startFleet, type Fleet } from './cluster-harness.js';

async function rollupLease(fleet: Fleet): Promise<{ holder: string; epoch: number; expires_at: number } | undefined> {
  const database = await openDatabase(fleet.storageUrl);
  try {
    return (await database.db.selectFrom('cluster_leases' as never).selectAll().where('name' as never, '=', 'rollups' as never).executeTakeFirst()) as
      | { holder: string; epoch: number; expires_at: number }
      | undefined;
  } finally {
    await database.close();
  }
}

describe('hourly rollups in a fleet sharing PostgreSQL', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet(2);
  }, 30_000);
  afterAll(async () => fleet?.close());

  it('one node at a time holds the rollup lease; when it stops, the other takes over with a higher epoch', async () => {
    expect(await eventually(async () => (await rollupLease(fleet)) !== undefined)).toBe(true);
    const first = (await rollupLease(fleet))!;
    const holders = fleet.nodes.map((node) => node.services.cluster!.nodeId);
    expect(holders).toContain(first.holder);

    const leader = fleet.nodes[holders.indexOf(first.holder)]!;
    await leader.close(); // graceful: the lease is released, not left to expire
    const other = holders.find((holder) => holder !== first.holder)!;
    expect(await eventually(async () => (await rollupLease(fleet))?.holder === other, 20_000)).toBe(true);
    expect(Number((await rollupLease(fleet))!.epoch)).toBeGreaterThan(Number(first.epoch));
  }, 40_000);
});
