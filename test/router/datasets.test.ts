import { describe, expect, it } from 'vitest';
import { dataWithDedup } from '../../src/router/pipeline.js';
import { BENCHMARKS, outOfDomainPool, shippingPool, testSet, trainingPool } from '../../src/router/splits.js';
import { parseCsv } from '../../src/router/csv.js';
import { normalise } from '../../src/router/dedup.js';

describe('routing datasets', () => {
  const { data, dedup } = dataWithDedup();

  it('loads the decontaminated RouteLLM sets and the LLMRouter split', () => {
    expect(data.mmlu).toHaveLength(14_037);
    expect(data.gsm8k).toHaveLength(1_307);
    expect(data.mtBench).toHaveLength(72);
    expect(data.llmTrain).toHaveLength(5_608);
    expect(data.llmTest).toHaveLength(500);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(data.mmlu.map((r) => r.weak))).toBeCloseTo(0.6809, 3);
    expect(mean(data.gsm8k.map((r) => r.strong))).toBeCloseTo(0.8577, 3);
    expect(mean(data.mtBench.map((r) => r.strong)) * 10).toBeCloseTo(9.21, 2);
    expect(mean(data.llmTest.map((r) => r.strong))).toBeCloseTo(0.563, 3);
    expect(new Set(data.llmTest.map((r) => r.task)).size).toBe(10);
    expect(data.mmlu.every((r) => r.task && r.source === 'mmlu')).toBe(true);
  });

  it('finds the known cross-dataset duplicates', () => {
    // reported counts: LLMRouter test shares 50 GSM8K, 1 MMLU and 119 LLMRouter-train prompts (GPQA, HumanEval, MBPP)
    expect(dedup.exactPairs + dedup.nearPairs).toBeGreaterThan(0);
    const groupsOf = (rs: { id: string }[]) => new Set(rs.map((r) => dedup.group.get(r.id)));
    const testGroups = groupsOf(data.llmTest);
    expect(data.gsm8k.filter((r) => testGroups.has(dedup.group.get(r.id))).length).toBe(50);
    expect(data.llmTrain.filter((r) => testGroups.has(dedup.group.get(r.id))).length).toBeGreaterThanOrEqual(119);
  });

  it('never trains on a test prompt or its near duplicate', () => {
    for (const b of BENCHMARKS) {
      const test = new Set(testSet(data, b).map((r) => dedup.group.get(r.id)));
      const pool = trainingPool(data, b, dedup);
      expect(pool.length).toBeGreaterThan(1000);
      expect(pool.some((r) => test.has(dedup.group.get(r.id)))).toBe(false);
      expect(pool.some((r) => r.split === 'test')).toBe(false);
    }
    expect(outOfDomainPool(data, 'mmlu').some((r) => r.source === 'mmlu' || r.task?.includes('mmlu'))).toBe(false);
    expect(outOfDomainPool(data, 'gsm8k').some((r) => r.source === 'gsm8k' || r.task === 'gsm8k' || r.task === 'agentverse-mgsm')).toBe(false);
    const ship = shippingPool(data, dedup);
    const llmTest = new Set(data.llmTest.map((r) => dedup.group.get(r.id)));
    expect(ship.some((r) => llmTest.has(dedup.group.get(r.id)))).toBe(false);
  });

  it('parses quoted CSV and normalises text', () => {
    expect(parseCsv('a,b\n"x, ""y""\nz",1\n')).toEqual([['a', 'b'], ['x, "y"\nz', '1']]);
    expect(normalise('  What IS  2+2?\n')).toBe('what is 2 2');
  });
});
