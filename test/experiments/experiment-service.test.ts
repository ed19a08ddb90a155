import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/index.js';
import { ExperimentService } from '../../src/experiments/experiment-service.js';
import { silentLogger } from '../../src/logging/logger.js';
import { uuidv7 } from '../../src/pipeline/ids.js';
import { RequestContext } from '../../src/pipeline/request-context.js';
import { migrate, openDatabase, type Database } from '../../src/storage/index.js';
import { targets } from '../storage/storage-targets.js';

const config = parseConfigText(`providers:
  - { id: deepseek, preset: deepseek, apiKey: sk-test }
models:
  - { id: deepseek-flash, provider: deepseek, tier: light }
  - { id: deepseek-v4-pro, provider: deepseek, tier: flagship }
routes:
  - { id: auto, light: [deepseek-flash], flagship: [deepseek-v4-pro] }
metrics:
  accepted: { type: boolean, optimize: max }
  solved: { type: boolean, optimize: max, level: episode }
scenarios:
  support: {}
capture: { scenarios: [support], routes: [auto] }
experiments:
  - name: episodes
    scenario: support
    metric: solved
    minSamplesPerArm: 3
    maxSamples: 8
    incumbent: light
    arms: [{ name: light, model: deepseek-flash }, { name: pro, model: deepseek-v4-pro }]
  - name: routers
    route: auto
    metric: accepted
    arms: [{ name: shipped, router: src/router/artifacts/router-v1.json }, { name: flagship, model: deepseek-v4-pro }]
`, 'tidegate.yaml', {});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function store(target: (typeof targets)[number]): Promise<{ url: string; open(): Promise<Database> }> {
  const { url, cleanup } = target.fresh();
  cleanups.push(cleanup);
  return {
    url,
    async open() {
      const database = await openDatabase(url);
      await migrate(database);
      cleanups.push(() => database.close());
      return database;
    },
  };
}

function service(database: Database): ExperimentService {
  const built = new ExperimentService(database, config.experiments, silentLogger, { cwd: process.cwd(), refreshMs: 60_000 });
  cleanups.push(() => built.close());
  return built;
}

function call(scenario: string | undefined, episodeId?: string): RequestContext {
  const context = new RequestContext('chat', undefined, undefined);
  context.scenario = scenario;
  context.episodeId = episodeId;
  return context;
}

describe.each(targets)('experiment service on $name', (target) => {
  it('scores episodes once each, attributes queued assignments, shares state between nodes, and keeps the incumbent when maxSamples runs out', async () => {
    const shared = await store(target);
    const [a, b] = [service(await shared.open()), service(await shared.open())];
    await Promise.all([a.start(), b.start()]);
    let feedback = 0;
    for (let i = 0; i < 8; i += 1) {
      const episode = uuidv7();
      const first = call('support', episode);
      const choice = a.assign(first, 'deepseek-flash')!;
      const second = call('support', episode);
      expect(a.assign(second, 'deepseek-flash')!.arm.name).toBe(choice.arm.name); // sticky per episode
      a.record(first);
      a.record(second);
      // Not yet written: the queued assignment still attributes the outcome. Equal rewards: no arm can win.
      await a.observe({ id: `f${(feedback += 1)}`, targetType: 'episode', targetId: episode, metric: 'solved', valueNumber: i % 2 });
      // The same episode scored again (another feedback row) counts once; an inference-level metric does not apply.
      await a.observe({ id: `f${(feedback += 1)}`, targetType: 'episode', targetId: episode, metric: 'solved', valueNumber: 1 });
      await a.observe({ id: `f${(feedback += 1)}`, targetType: 'inference', targetId: first.id, metric: 'accepted', valueNumber: 1 });
    }
    const [status] = await a.status();
    expect(status!.outcomes).toBe(8);
    expect(status!.arms.reduce((sum, arm) => sum + arm.requests, 0)).toBe(16);
    expect(status!.phase).toBe('stopped');
    expect(status).toMatchObject({ winner: null, serving_arm: 'light', reason: 'no arm beat the others within 8 outcomes' });
    // The other node reads the same counts and decision from the store.
    await b.refresh();
    const [seen] = await b.status();
    expect(seen).toEqual(status);
    const later = call('support');
    expect(b.assign(later, 'deepseek-v4-pro')!.arm.name).toBe('light');
    expect(later.experiment).toEqual({ name: 'episodes', arm: 'light' });
  });

  it('routes a router arm with the router artifact it names, and leaves other requests alone', async () => {
    const experiments = service(await (await store(target)).open());
    await experiments.start();
    const seen = new Map<string, string | undefined>();
    for (let i = 0; i < 40; i += 1) {
      const choice = experiments.assign(call(undefined), 'auto')!;
      seen.set(choice.arm.name, choice.router?.router.version);
    }
    expect(seen.get('shipped')).toMatch(/\S/);
    expect(seen.has('flagship') && seen.get('flagship') === undefined).toBe(true);
    expect(experiments.assign(call(undefined), 'deepseek-flash')).toBeUndefined();
    // Deferred jobs (batches, shadow runs) keep the model they name.
    const deferred = call(undefined);
    deferred.priority = 'deferrable';
    expect(experiments.assign(deferred, 'auto')).toBeUndefined();
  });
});
