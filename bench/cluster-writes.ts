/**
 * Ledger writes of a cluster on PostgreSQL (issue #10): at 2,000 req/s across 2 nodes, at most one PostgreSQL
 * write transaction per second per node, and no deadlocks.
 *
 *   npx vite-node bench/cluster-writes.ts [-- --rate 2000 --seconds 10 --flush-ms 1000 --batch 5000]
 *
 * Starts a provider simulator (no latency) and two gateway processes sharing a PostgreSQL database created for
 * the run (so pg_stat_database counts only this run) and Redis (database 14, a prefix of its own), drives the
 * rate open-loop, split evenly between the nodes, for a warm-up and then the measured window, and reports:
 * - each node's request-log write transactions per second (counted by its writer, services.requestLog.writes());
 * - the database's committed transactions per second over the window (pg_stat_database.xact_commit: every
 *   transaction of both nodes, reads included, such as key lookups and lease renewals), per node;
 * - deadlocks (pg_stat_database.deadlocks delta);
 * - rows in request_log after a clean shutdown against requests answered (nothing may be lost).
 * Writes bench/results/cluster-writes-latest.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { openLoop, sleep, startChild, stopChild, type Child, type LoadResult, type Target } from './lib.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ADMIN = 'tg-admin-bench-cluster-writes-000000000';
const POSTGRES = process.env['TIDEGATE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env['TIDEGATE_BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379/14';

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

interface WriterStats {
  queued: number;
  written: number;
  failedFlushes: number;
  transactions: number;
}

/** Role: one gateway node. Prints its URL, then its writer's counters every 250 ms; closes cleanly on SIGTERM. */
async function runNode(file: string): Promise<void> {
  const { parseConfigText } = await import('../src/config/index.js');
  const { startGateway } = await import('../src/gateway.js');
  const { createLogger } = await import('../src/logging/logger.js');
  const config = parseConfigText(readFileSync(file, 'utf8'), file, {});
  // Errors only (a failed request-log flush says why), on stderr.
  const gateway = await startGateway(config, { logger: createLogger('error'), router: null });
  const report = (tag: string) => process.stdout.write(`${tag} ${JSON.stringify(gateway.services.requestLog.writes?.())}\n`);
  process.stdout.write(`LISTENING ${gateway.url}\n`);
  const timer = setInterval(() => report('STATS'), 250);
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void gateway.close(2_000).then(() => {
      report('FINAL');
      process.exit(0);
    });
  });
}

/** Role: the provider simulator, answering at once. */
async function runSimulator(): Promise<void> {
  const { startSimulator } = await import('../src/simulator/index.js');
  const simulator = await startSimulator({ latencyMs: 0 });
  process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
  process.once('SIGTERM', () => void simulator.close().then(() => process.exit(0)));
}

const viteNode = join(root, 'node_modules/vite-node/vite-node.mjs');
const self = fileURLToPath(import.meta.url);

class NodeProcess {
  latest: WriterStats | undefined;
  final: WriterStats | undefined;
  firstError: string | undefined;
  constructor(readonly child: Child, readonly url: string) {
    child.process.stderr!.on('data', (data: Buffer) => {
      this.firstError ??= /"message":"request log write failed[^\n]*/.exec(data.toString())?.[0];
    });
    let buffer = '';
    child.process.stdout!.on('data', (data: Buffer) => {
      buffer += data.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const match = /^(STATS|FINAL) (.+)$/.exec(line);
        if (match?.[1] === 'STATS') this.latest = JSON.parse(match[2]!) as WriterStats;
        if (match?.[1] === 'FINAL') this.final = JSON.parse(match[2]!) as WriterStats;
      }
    });
  }
}

async function main(): Promise<void> {
  const settings = { rate: flag('rate', 2_000), seconds: flag('seconds', 10), warmupSeconds: flag('warmup', 3), flushMs: flag('flush-ms', 1_000), batch: flag('batch', 5_000) };
  const { openDatabase } = await import('../src/storage/index.js');
  const dbName = `tg_bench_writes_${process.pid}`;
  const prefix = `tgbench-writes-${process.pid}`;
  const admin = await openDatabase(`${POSTGRES}/postgres`);
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-bench-cluster-writes-'));
  const children: Child[] = [];
  const progress = (text: string) => process.stderr.write(`[cluster-writes] ${text}\n`);
  await sql`create database ${sql.id(dbName)}`.execute(admin.db);
  try {
    const sim = await startChild('simulator', process.execPath, [viteNode, self, '--simulator'], 'stdout', /\{.*\}\n/);
    children.push(sim.child);
    const upstream = `${JSON.parse(sim.match[0]).url as string}/openai-compatible/v1`;
    const yaml = `server: { port: 0 }
admin: { key: ${ADMIN} }
storage: { url: "${POSTGRES}/${dbName}" }
redis: { url: "${REDIS_URL}" }
cluster: { keyPrefix: ${prefix} }
requestLog: { flushIntervalMs: ${settings.flushMs}, batchSize: ${settings.batch}, queueLimit: ${Math.max(settings.batch * 4, 20_000)} }
providers:
  - { id: upstream, preset: openai-compatible, baseUrl: "${upstream}" }
models:
  - { id: bench-model, provider: upstream, price: { input: 1, output: 2 }, limits: { concurrency: 4096 } }
`;
    writeFileSync(join(dir, 'node.yaml'), yaml);
    const nodes: NodeProcess[] = [];
    // The first node migrates the new database alone; then the second starts.
    for (const name of ['node-a', 'node-b']) {
      const started = await startChild(name, process.execPath, [viteNode, self, '--node', join(dir, 'node.yaml')], 'stdout', /LISTENING (\S+)\n/, {}, 60_000);
      children.push(started.child);
      nodes.push(new NodeProcess(started.child, started.match[1]!));
    }
    const created = await fetch(`${nodes[0]!.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` }, body: JSON.stringify({ name: 'bench' }) });
    const { key } = (await created.json()) as { key: string };
    const body = JSON.stringify({ model: 'bench-model', max_tokens: 16, messages: [{ role: 'user', content: 'Say hello.' }] });
    const targets: Target[] = nodes.map((node, i) => ({
      key: `node-${i}`,
      label: `node ${i}`,
      url: `${node.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
      streamBody: body,
    }));
    const perNode = settings.rate / nodes.length;
    progress(`warm-up: ${settings.rate} req/s for ${settings.warmupSeconds} s`);
    const warm = await Promise.all(targets.map((target) => openLoop(target, perNode, settings.warmupSeconds * 1000, 0)));

    const stats = async () => {
      await sql`select pg_stat_clear_snapshot()`.execute(admin.db);
      const { rows } = await sql<{ xact_commit: string; deadlocks: string }>`select xact_commit, deadlocks from pg_stat_database where datname = ${dbName}`.execute(admin.db);
      return { commits: Number(rows[0]!.xact_commit), deadlocks: Number(rows[0]!.deadlocks) };
    };
    await sleep(600); // pg_stat_database is updated when backends report (at most every ~500 ms when busy)
    const before = { pg: await stats(), writers: nodes.map((node) => ({ ...node.latest! })), at: performance.now() };
    progress(`measuring: ${settings.rate} req/s for ${settings.seconds} s across ${nodes.length} nodes`);
    const measured: LoadResult[] = await Promise.all(targets.map((target) => openLoop(target, perNode, settings.seconds * 1000, 0)));
    await sleep(600);
    const after = { pg: await stats(), writers: nodes.map((node) => ({ ...node.latest! })), at: performance.now() };
    const windowS = (after.at - before.at) / 1000;

    progress('clean shutdown of both nodes');
    for (const node of nodes) await stopChild(node.child, 15_000);
    const check = await openDatabase(`${POSTGRES}/${dbName}`);
    const { rows } = await sql<{ n: string }>`select count(*) as n from request_log`.execute(check.db);
    await check.close();
    const answered = [...warm, ...measured].reduce((sum, result) => sum + result.ok + result.errors, 0);
    const okAnswers = [...warm, ...measured].reduce((sum, result) => sum + result.ok, 0);

    const result = {
      settings,
      windowS: Number(windowS.toFixed(2)),
      achievedRps: Number(measured.reduce((sum, r) => sum + r.achievedRps, 0).toFixed(0)),
      errors: measured.reduce((sum, r) => sum + r.errors, 0),
      firstError: measured.find((r) => r.firstError)?.firstError,
      latencyMs: Object.fromEntries(measured.map((r, i) => [`node${i}`, { p50: Number(r.latency.p50.toFixed(1)), p99: Number(r.latency.p99.toFixed(1)) }])),
      perNode: nodes.map((node, i) => ({
        node: i,
        rowsWritten: after.writers[i]!.written - before.writers[i]!.written,
        writeTransactions: after.writers[i]!.transactions - before.writers[i]!.transactions,
        writeTransactionsPerS: Number(((after.writers[i]!.transactions - before.writers[i]!.transactions) / windowS).toFixed(2)),
        rowsPerTransaction: Math.round((after.writers[i]!.written - before.writers[i]!.written) / Math.max(1, after.writers[i]!.transactions - before.writers[i]!.transactions)),
        queuedAtEnd: after.writers[i]!.queued,
        failedFlushes: after.writers[i]!.failedFlushes,
        final: node.final,
        firstFlushError: node.firstError,
      })),
      database: {
        commitsPerS: Number(((after.pg.commits - before.pg.commits) / windowS).toFixed(2)),
        commitsPerSPerNode: Number(((after.pg.commits - before.pg.commits) / windowS / nodes.length).toFixed(2)),
        deadlocks: after.pg.deadlocks - before.pg.deadlocks,
      },
      shutdown: { requestsAnswered: answered, answered200: okAnswers, rowsInRequestLog: Number(rows[0]!.n), lost: Math.max(0, okAnswers - Number(rows[0]!.n)) },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/cluster-writes-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const child of children.reverse()) await stopChild(child, 15_000).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    await sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(admin.db).catch((error: unknown) => progress(`could not drop ${dbName}: ${String(error)}`));
    await admin.close();
  }
}

if (process.argv.includes('--node')) await runNode(process.argv[process.argv.indexOf('--node') + 1]!);
else if (process.argv.includes('--simulator')) await runSimulator();
else await main();
