import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routerTrainCommand } from '../../src/router/cli.js';
import type { RoutingRecord } from '../../src/router/datasets.js';
import { compareOnReplay, decidePromotion, splitFeedback, trainFromFeedback } from '../../src/router/feedback.js';
import { parseLabels } from '../../src/router/labels.js';
import { dataWithDedup, trainRouter, type TrainRouterOptions } from '../../src/router/pipeline.js';
import { rng, shuffle } from '../../src/router/rng.js';

/**
 * The feedback loop's gate. Feedback here is LLMRouter's outcome data (the nemotron-51b vs gemma-2-9b pair) written
 * as the gateway writes labels; the router being improved is a small one trained on GSM8K and MT-Bench only, so
 * these labels carry real, learnable news for it.
 */
const base: TrainRouterOptions = { include: ['gsm8k', 'mt-bench'], train: { epochs: 2 } };
const trained = trainRouter(base);
const current = trained.artifact;
const { data } = dataWithDedup();
const asLines = (rows: readonly RoutingRecord[], flip: boolean): string =>
  rows.map((r) => JSON.stringify({ prompt: r.prompt, flagship_score: flip ? r.weak : r.strong, light_score: flip ? r.strong : r.weak })).join('\n');
const sample = (seed: number, n = 600): RoutingRecord[] => shuffle(data.llmTrain, seed).slice(0, n);

/** Traffic the prior gets backwards: long, chatty pet questions the light model answers as well as the flagship,
 * short, dense analysis requests only the flagship gets right (in English and Chinese); 20% of outcomes noisy. */
function traffic(seed: number, flip: boolean): string {
  const pets = ['cat', 'dog', 'parrot', 'hamster', 'goldfish', 'rabbit', 'turtle', 'pony', 'gecko', 'ferret', 'canary', 'guinea pig'];
  const topics = ['supply chains', 'rent control', 'carbon taxes', 'minimum wages', 'tariffs', 'central bank independence', 'housing subsidies', 'basic income', 'patent law', 'congestion pricing', 'pension reform', 'school vouchers'];
  const zhPets = ['猫', '狗', '鹦鹉', '仓鼠', '金鱼', '兔子', '乌龟', '小马', '壁虎', '雪貂', '金丝雀', '豚鼠'];
  const zhTopics = ['供应链', '租金管制', '碳税', '最低工资', '关税', '央行独立性', '住房补贴', '基本收入', '专利法', '拥堵收费', '养老金改革', '教育券'];
  const easy = [
    (p: string) => `We just brought home a ${p} from the shelter down the road. It is playful, a little shy, and loves sitting by the window in the afternoon sun. Could you suggest a few cute names for it, nothing too long?`,
    (p: string) => `My kids keep asking what our ${p} likes to eat. We have tried a couple of things from the pet shop and it seems happy enough, but what would you normally give it on a typical day, and how much?`,
    (p: string) => `我们刚从附近的收容所领养了一只${p}，它很活泼，有点害羞，下午喜欢趴在窗边晒太阳。能帮它想几个可爱的名字吗？不要太长。`,
    (p: string) => `孩子们一直问我们家的${p}喜欢吃什么。我们从宠物店买了几样东西，它看起来挺满意的，平时一般喂什么、喂多少合适？`,
  ];
  const hard = [(t: string) => `Derive the incidence of ${t} in general equilibrium.`, (t: string) => `Prove when ${t} is welfare-improving.`, (t: string) => `推导${t}的一般均衡归宿。`, (t: string) => `证明${t}何时改善福利。`];
  const next = rng(seed + 1);
  const rows: string[] = [];
  const add = (prompt: string, needsFlagship: boolean): void => {
    const hit = next() < 0.8 ? needsFlagship : !needsFlagship;
    const [flagship, light] = hit ? [1, 0] : [1, 1];
    rows.push(JSON.stringify({ prompt, flagship_score: flip ? light : flagship, light_score: flip ? flagship : light }));
  };
  for (const end of ['', ' Thanks!', ' 谢谢！']) {
    easy.forEach((make, k) => (k < 2 ? pets : zhPets).forEach((p) => add(make(p) + end, false)));
    hard.forEach((make, k) => (k < 2 ? topics : zhTopics).forEach((t) => add(make(t) + end, true)));
  }
  return rows.join('\n');
}

describe('router train --from-feedback', () => {
  it('splits feedback by prompt, so a repeated prompt is never on both sides', () => {
    const rows = parseLabels(['a', 'b', 'A!', 'c', 'b', 'd'].map((p) => JSON.stringify({ prompt: p, winner: 'tie' })).join('\n'));
    for (const seed of [1, 2, 3, 4, 5]) {
      const { train, replay } = splitFeedback(rows, 0.5, seed);
      expect(train.length + replay.length).toBe(6);
      const inReplay = (p: string) => replay.some((r) => r.prompt === p);
      expect(train.some((r) => r.prompt === 'b') && inReplay('b')).toBe(false);
      expect(inReplay('a')).toBe(inReplay('A!')); // the same prompt once normalised
      expect(replay).toHaveLength(rows.filter((r) => inReplay(r.prompt)).length);
    }
  });

  it('promotes a candidate that learned what the prior gets wrong: better on the replay, lower bound above 0', () => {
    const result = trainFromFeedback({ feedback: parseLabels(traffic(1, false)), current, base, resamples: 300 });
    console.log(`true labels: ${result.reason}`);
    expect(result.reason).toMatch(/lower bound above 0/);
    expect(result.promoted).toBe(true);
    expect(result.replay!.ci[0]).toBeGreaterThan(0);
    expect(result.candidate!.version).toMatch(/^router-v2-fb-[0-9a-f]{10}$/);
  });

  it('never promotes a candidate trained on flipped labels (30 retrains, 210 decisions)', () => {
    let promoted = 0;
    const judged = new Map<string, number>(); // why, for the decisions that compared APGR
    const tally = (d: { promoted: boolean; reason: string }): void => {
      if (d.promoted) promoted++;
      const why = /significantly worse|lower bound is not above 0|flagship does not beat/.exec(d.reason)?.[0] ?? d.reason;
      judged.set(why, (judged.get(why) ?? 0) + 1);
    };
    for (let seed = 0; seed < 10; seed++) {
      // the whole label file flipped: the gate sees it through trainFromFeedback's own split
      const all = trainFromFeedback({ feedback: parseLabels(asLines(sample(100 + seed, 300), true)), current, base, seed, resamples: 200 });
      tally(all);
      // flipped training labels, judged on true outcomes nobody trained on: LLMRouter's test split, and the
      // synthetic traffic of the test above (which a correctly trained candidate wins)
      const real = trainRouter({ ...base, labels: parseLabels(asLines(sample(200 + seed, 300), true)) }).artifact;
      const synthetic = trainRouter({ ...base, labels: splitFeedback(parseLabels(traffic(seed, true)), 0.3, seed).train }).artifact;
      const trueTraffic = splitFeedback(parseLabels(traffic(seed, false)), 0.3, seed).replay;
      for (let k = 0; k < 19; k++) {
        const replay = shuffle(data.llmTest, 1000 * seed + k).slice(0, 200);
        tally(decidePromotion(current, real, replay, trained.heldAside, { resamples: 200, seed: k }));
      }
      tally(decidePromotion(current, synthetic, trueTraffic, trained.heldAside, { resamples: 200, seed }));
    }
    console.log(`flipped labels: ${[...judged].map(([k, v]) => `${v}× ${k}`).join('; ')}`);
    expect(promoted).toBe(0);
    // 200 of the 210 decisions replayed true outcomes: those must have been refused on the APGR comparison itself
    expect((judged.get('lower bound is not above 0') ?? 0) + (judged.get('significantly worse') ?? 0)).toBeGreaterThanOrEqual(200);
  }, 360_000); // 30 trainings of a three-member ensemble

  it('a paired bootstrap of identical scores is centred on 0 and never above it', () => {
    const rows = sample(5, 300);
    const s = rows.map((r) => r.prompt.length);
    const c = compareOnReplay(s, s, rows.map((r) => r.weak), rows.map((r) => r.strong), 200);
    expect(c.diff).toBe(0);
    expect(c.ci).toEqual([0, 0]);
  });

  it('the CLI keeps the current artifact when it cannot judge a candidate, and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidegate-feedback-'));
    const currentPath = join(dir, 'router.json');
    writeFileSync(currentPath, JSON.stringify(current));
    const labels = join(dir, 'labels.jsonl');
    writeFileSync(labels, asLines(sample(3, 40), false)); // 12 replay labels: too few to judge
    let out = '';
    const write = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => { out += String(chunk); return true; }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await routerTrainCommand(['--from-feedback', '--out', currentPath])).toBe(2);
      expect(await routerTrainCommand(['--from-feedback', '--labels', labels, '--out', currentPath, '--resamples', '200'])).toBe(0);
    } finally { process.stdout.write = write; process.stderr.write = err; }
    expect(out).toMatch(/not promoted: .*router\.json \(router-v2\) stays in use: only 12 replay labels \(need 50/);
    expect(readFileSync(currentPath, 'utf8')).toBe(JSON.stringify(current));
    expect(readdirSync(dir).sort()).toEqual(['labels.jsonl', 'router.json']);
  }, 60_000);
});
