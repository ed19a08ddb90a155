import { afterEach, describe, expect, it } from 'vitest';
import { leaseLeadership, type Leadership } from '../../src/cluster/job-leases.js';
import { LeaderLease, LeaseLostError } from '../../src/cluster/leader-lease.js';
import { claimJob, completeJob, getJob, insertJobs, markJobSent, migrate, openDatabase, recoverInterrupted, recoverInterruptedJobs, type Database, type JobOutcome, type NewJob } from '../../src/storage/index.js';
import { targets } from '../storage/storage-targets.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const postgres = targets.find((target) => target.name === 'postgres')!;
const TTL_MS = 300;

const opened: Array<{ databases: Database[]; cleanup(): Promise<void> }> = [];
afterEach(async () => {
  for (const { databases, cleanup } of opened.splice(0)) {
    for (const database of databases) await database.close();
    await cleanup();
  }
});

/** Two "nodes" (a connection pool each) on one fresh PostgreSQL schema, each with its view of the runner's lease. */
async function twoNodes(): Promise<Array<{ database: Database; lease: LeaderLease; leadership: Leadership }>> {
  const store = postgres.fresh();
  const first = await openDatabase(store.url);
  await migrate(first);
  const second = await openDatabase(store.url);
  opened.push({ databases: [first, second], cleanup: store.cleanup });
  return [first, second].map((database, index) => {
    const lease = new LeaderLease(database, { name: 'batch-runner', holder: `node-${index + 1}`, ttlMs: TTL_MS });
    return { database, lease, leadership: leaseLeadership(database, lease) };
  });
}

const line = (id: string): NewJob => ({
  id, batch_id: null, custom_id: id, line_no: null, api_key_id: null, scenario: null, model: 'm', body: '{}', status: 'queued',
  created_at: 1, not_before: 1, deadline_at: Number.MAX_SAFE_INTEGER, plan: null,
});
const succeeded: JobOutcome = { status: 'succeeded', statusCode: 200, result: '{}', inputTokens: 1, outputTokens: 1, costNanoCny: 10, onDemandNanoCny: 10, tariff: null, finishedAt: 2 };

describe('batch lines fenced by the runner lease on PostgreSQL', () => {
  it('a deposed leader can claim nothing, its late result is refused once the new leader took the line back, and the line ends once', async () => {
    const [a, b] = await twoNodes();
    await insertJobs(a!.database, [line('job_1'), line('job_2')]);
    expect(await a!.lease.tryAcquire()).toBe(1);
    const job1 = (await getJob(a!.database, 'job_1'))!;
    expect(await a!.leadership.fenced((database) => claimJob(database, job1, 'req-a', 5))).toBe(true);

    // A stalls past its TTL; B takes over with a higher epoch and queues A's line again before claiming anything.
    await sleep(TTL_MS + 50);
    expect(await b!.lease.tryAcquire()).toBe(2);
    expect(await b!.leadership.fenced((database) => recoverInterruptedJobs(database))).toBe(1);

    // A wakes up: its claim of another line is refused and writes nothing.
    const job2 = (await getJob(a!.database, 'job_2'))!;
    await expect(a!.leadership.fenced((database) => claimJob(database, job2, 'req-a2', 6))).rejects.toBeInstanceOf(LeaseLostError);
    expect((await getJob(a!.database, 'job_2'))!.status).toBe('queued');
    expect(a!.lease.isLeader()).toBe(false);

    // A's late result for the line B took back is refused; B's attempt is the one that ends it.
    expect(await completeJob(a!.database, 'job_1', 'req-a', succeeded, undefined)).toBe(false);
    const queued = (await getJob(b!.database, 'job_1'))!;
    expect(queued).toMatchObject({ status: 'queued', request_id: null, attempt: 1 });
    expect(await b!.leadership.fenced((database) => claimJob(database, queued, 'req-b', 7))).toBe(true);
    expect(await completeJob(b!.database, 'job_1', 'req-b', succeeded, undefined)).toBe(true);
    expect(await getJob(b!.database, 'job_1')).toMatchObject({ status: 'succeeded', request_id: 'req-b', attempt: 2 });
  });

  it('a takeover waits for the old leader’s claim in flight, so the new leader’s recovery sees that line', async () => {
    const [a, b] = await twoNodes();
    await insertJobs(a!.database, [line('job_1')]);
    expect(await a!.lease.tryAcquire()).toBe(1);
    const job = (await getJob(a!.database, 'job_1'))!;
    // A's claim commits slowly, while its lease expires and B tries to take over.
    let claimCommitted = 0;
    const claim = a!.leadership.fenced(async (database) => {
      const claimed = await claimJob(database, job, 'req-a', 5);
      await sleep(TTL_MS + 300);
      return claimed;
    }).then((claimed) => ((claimCommitted = Date.now()), claimed));
    await sleep(TTL_MS + 50);
    const epoch = await b!.lease.tryAcquire();
    const acquiredAt = Date.now();
    expect(await claim).toBe(true);
    expect(epoch).toBe(2);
    expect(acquiredAt).toBeGreaterThanOrEqual(claimCommitted); // the lease row was locked by A's claim
    expect(await b!.leadership.fenced((database) => recoverInterruptedJobs(database))).toBe(1);
    expect(await getJob(b!.database, 'job_1')).toMatchObject({ status: 'queued', request_id: null });
  });

  it('a takeover queues again a line claimed but not sent, fails a line already sent (interrupted_unknown_outcome), and a deposed leader can mark nothing sent', async () => {
    const [a, b] = await twoNodes();
    await insertJobs(a!.database, [line('job_1'), line('job_2'), line('job_3')]);
    expect(await a!.lease.tryAcquire()).toBe(1);
    const [job1, job2, job3] = await Promise.all(['job_1', 'job_2', 'job_3'].map(async (id) => (await getJob(a!.database, id))!));
    expect(await a!.leadership.fenced((database) => claimJob(database, job1!, 'req-1', 5))).toBe(true);
    expect(await a!.leadership.fenced((database) => claimJob(database, job2!, 'req-2', 5))).toBe(true);
    expect(await a!.leadership.fenced((database) => claimJob(database, job3!, 'req-3', 5))).toBe(true);
    expect(await a!.leadership.fenced((database) => markJobSent(database, 'job_1', 'req-1', 6))).toBe(true); // the provider may run job_1
    expect(await a!.leadership.fenced((database) => markJobSent(database, 'job_1', 'req-other', 6))).toBe(false); // only the attempt holding it

    // A stalls past its TTL; B takes over and settles what A left running.
    await sleep(TTL_MS + 50);
    expect(await b!.lease.tryAcquire()).toBe(2);
    expect(await b!.leadership.fenced((database) => recoverInterrupted(database, { now: 9 }))).toEqual({ requeued: 2, retried: 0, failed: 1 });
    const failed = (await getJob(b!.database, 'job_1'))!;
    expect(failed).toMatchObject({ status: 'failed', status_code: null, attempt: 1, request_id: 'req-1' });
    expect(Number(failed.finished_at)).toBe(9);
    expect(JSON.parse(failed.error!)).toMatchObject({ error: { code: 'interrupted_unknown_outcome', type: 'upstream_error' } });
    expect(await getJob(b!.database, 'job_2')).toMatchObject({ status: 'queued', request_id: null, sent_at: null });

    // A wakes up: it cannot mark its claimed line sent (so never calls the provider), nor end the failed line.
    await expect(a!.leadership.fenced((database) => markJobSent(database, 'job_3', 'req-3', 10))).rejects.toBeInstanceOf(LeaseLostError);
    expect(await markJobSent(a!.database, 'job_3', 'req-3', 10)).toBe(false); // even unfenced: the line is no longer its attempt's
    expect(await completeJob(a!.database, 'job_1', 'req-1', succeeded, undefined)).toBe(false);
    expect((await getJob(b!.database, 'job_1'))!.status).toBe('failed');
  });

  it('with retryInterrupted a line already sent is queued again too, for one more attempt', async () => {
    const [a, b] = await twoNodes();
    await insertJobs(a!.database, [line('job_1')]);
    expect(await a!.lease.tryAcquire()).toBe(1);
    const job = (await getJob(a!.database, 'job_1'))!;
    expect(await a!.leadership.fenced((database) => claimJob(database, job, 'req-a', 5))).toBe(true);
    expect(await a!.leadership.fenced((database) => markJobSent(database, 'job_1', 'req-a', 6))).toBe(true);
    await sleep(TTL_MS + 50);
    expect(await b!.lease.tryAcquire()).toBe(2);
    expect(await b!.leadership.fenced((database) => recoverInterrupted(database, { retryInterrupted: true }))).toEqual({ requeued: 0, retried: 1, failed: 0 });
    const queued = (await getJob(b!.database, 'job_1'))!;
    expect(queued).toMatchObject({ status: 'queued', request_id: null, sent_at: null, attempt: 1 });
    expect(await b!.leadership.fenced((database) => claimJob(database, queued, 'req-b', 7))).toBe(true);
    expect(await completeJob(b!.database, 'job_1', 'req-b', succeeded, undefined)).toBe(true);
    expect(await getJob(b!.database, 'job_1')).toMatchObject({ status: 'succeeded', attempt: 2, request_id: 'req-b' });
    expect(await recoverInterruptedJobs(b!.database)).toBe(0);
  });
});
