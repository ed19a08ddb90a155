import { describe, expect, it } from 'vitest';
import { parseLabels } from '../../src/router/labels.js';
import { trainRouter } from '../../src/router/pipeline.js';
import { LinearScorer } from '../../src/router/model.js';
import { inputFromPrompt } from '../../src/router/features.js';
import { routerTrainCommand } from '../../src/router/cli.js';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('gateway label files', () => {
  it('reads prompts or messages with scores or a winner', () => {
    const rows = parseLabels([
      '# collected 2026-11-20',
      '{"prompt":"hi","winner":"light"}',
      '',
      '{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Prove Fermat\'s little theorem."}],"strong":0.9,"weak":0.2,"weight":2}',
      '{"id":"x7","prompt":"2+2?","winner":"tie"}',
      '{"prompt":"Sum a series.","flagship_score":0.8,"light_score":0.3}',
    ].join('\n'));
    expect(rows.map((r) => [r.prompt, r.strong, r.weak, r.weight])).toEqual([['hi', 0, 1, 1], ["Prove Fermat's little theorem.", 0.9, 0.2, 2], ['2+2?', 0.5, 0.5, 1], ['Sum a series.', 0.8, 0.3, 1]]);
    expect(rows[1]!.input).toEqual({ system: 'Be brief.', user: "Prove Fermat's little theorem.", turns: 1 });
    expect(rows[2]!.id).toBe('gateway:x7');
    expect(rows.every((r) => r.source === 'gateway')).toBe(true);
  });

  it.each([
    ['{"prompt":"a","winner":"light"', /f\.jsonl:1: not valid JSON/],
    ['[1,2]', /f\.jsonl:1: expected a JSON object/],
    ['{"winner":"light"}', /f\.jsonl:1: needs "prompt" \(string\) or "messages" \(array\)/],
    ['{"prompt":"a"}', /f\.jsonl:1: needs an outcome/],
    ['{"prompt":"a","winner":"gpt"}', /"winner" must be "flagship", "light" or "tie", got "gpt"/],
    ['{"prompt":"a","strong":1.5,"weak":0}', /"strong" must be a number from 0 to 1, got 1.5/],
    ['{"prompt":"a","strong":1}', /"weak" must be a number from 0 to 1, got undefined/],
    ['{"prompt":"a","winner":"tie","strong":1,"weak":0}', /not both/],
    ['{"prompt":"a","winner":"tie","weight":0}', /"weight" must be a positive number/],
    ['{"prompt":"a","flagship_score":1}', /"light_score" must be a number from 0 to 1, got undefined/],
    ['{"prompt":"a","flagship_score":1,"strong":1,"light_score":0}', /give "flagship_score" or "strong", not both/],
    ['{"prompt":"a","flagship_score":1,"light_score":0,"winner":"tie"}', /not both/],
    ['{"prompt":"a","winner":"tie","label":1}', /unknown field "label"/],
    ['{"prompt":"   ","winner":"tie"}', /the prompt is empty/],
    ['{"messages":[{"content":"x"}],"winner":"tie"}', /messages\[0\] needs a string "role"/],
  ])('rejects %s with a line-numbered error', (line, error) => {
    expect(() => parseLabels(line, 'f.jsonl')).toThrow(error);
  });

  it('reports the right line number', () => {
    expect(() => parseLabels('{"prompt":"a","winner":"tie"}\n\n{"prompt":"b"}', 'f.jsonl')).toThrow(/^f\.jsonl:3: /);
  });

  it('router train --labels stops on a bad file before training, naming file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidegate-labels-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"prompt":"a","winner":"light"}\n{"prompt":"b","winner":"maybe"}\n');
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => { err.push(String(chunk)); return true; }) as typeof process.stderr.write;
    try {
      expect(await routerTrainCommand(['--labels', file, '--out', join(dir, 'out.json')])).toBe(2);
      expect(await routerTrainCommand(['--labels', file, '--labels-weight', 'zero', '--out', join(dir, 'out.json')])).toBe(2);
    } finally { process.stderr.write = write; }
    expect(err.join('')).toContain(`${file}:2: "winner" must be "flagship", "light" or "tie"`);
    expect(err.join('')).toContain('--labels-weight must be a positive number');
    expect(existsSync(join(dir, 'out.json'))).toBe(false);
  });
});

describe('learning from labelled outcomes', () => {
  // two kinds of request the benchmarks say nothing about, labelled in opposite directions, in English and Chinese
  const pets = ['cat', 'dog', 'parrot', 'hamster', 'goldfish', 'rabbit', 'turtle', 'pony', 'gecko', 'ferret', 'canary', 'guinea pig'];
  const topics = ['supply chains', 'rent control', 'carbon taxes', 'minimum wages', 'tariffs', 'central bank independence', 'housing subsidies', 'universal basic income', 'patent law', 'congestion pricing', 'pension reform', 'school vouchers'];
  const zhPets = ['猫', '狗', '鹦鹉', '仓鼠', '金鱼', '兔子', '乌龟', '小马', '壁虎', '雪貂', '金丝雀', '豚鼠'];
  const zhTopics = ['供应链', '租金管制', '碳税', '最低工资', '关税', '央行独立性', '住房补贴', '全民基本收入', '专利法', '拥堵收费', '养老金改革', '教育券'];
  const light = (p: string): string => `Suggest a cute name for my new ${p}.`;
  const heavy = (t: string): string => `Write a policy memo weighing the second-order effects of ${t} on regional labour markets.`;
  const zhLight = (p: string): string => `给我新养的${p}起一个可爱的名字。`;
  const zhHeavy = (t: string): string => `写一份政策备忘录，权衡${t}对地区劳动力市场的二阶效应。`;
  const lines = (items: string[], make: (x: string) => string, winner: string): string[] => items.slice(0, 9).map((x) => JSON.stringify({ prompt: make(x), winner }));
  const file = [...lines(pets, light, 'light'), ...lines(topics, heavy, 'flagship'), ...lines(zhPets, zhLight, 'light'), ...lines(zhTopics, zhHeavy, 'flagship')].join('\n');

  it('moves scores of unseen prompts of the same kinds in the labelled direction', () => {
    const base = { include: ['gsm8k', 'mt-bench'] as Array<'gsm8k' | 'mt-bench'>, train: { epochs: 2 } };
    const before = new LinearScorer(trainRouter(base).artifact);
    const after = new LinearScorer(trainRouter({ ...base, labels: parseLabels(file) }).artifact);
    const mean = (s: LinearScorer, items: string[], make: (x: string) => string): number => items.slice(9).reduce((a, x) => a + s.scoreInput(inputFromPrompt(make(x))), 0) / 3;
    for (const [lo, hi] of [[[pets, light], [topics, heavy]], [[zhPets, zhLight], [zhTopics, zhHeavy]]] as const) {
      const spreadBefore = mean(before, hi[0], hi[1]) - mean(before, lo[0], lo[1]);
      const spreadAfter = mean(after, hi[0], hi[1]) - mean(after, lo[0], lo[1]);
      expect(mean(after, hi[0], hi[1])).toBeGreaterThan(mean(before, hi[0], hi[1]));
      expect(mean(after, lo[0], lo[1])).toBeLessThan(mean(before, lo[0], lo[1]));
      expect(spreadAfter).toBeGreaterThan(spreadBefore + 0.1);
    }
  }, 120_000);
});
