import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { parseReplayDataset } from '../../src/evaluation/replay-dataset.js';
import { extractNumber } from '../../src/evaluation/evaluators/number-extraction.js';
import { parseEvaluatorSpec } from '../../src/evaluation/spec.js';
import { simulatedProvider, startStack, type Stack } from './harness.js';

/*
 * The worked example of the README ("Evaluating a model on your data"): 40 synthetic essays with teacher
 * scores, replayed through a real gateway on two simulated graders, scored "within 5 points".
 */

const EXAMPLE = join(import.meta.dirname, '../../data/examples/essay-grading');
const DATASET = join(EXAMPLE, 'essays.jsonl');
const WITHIN_5 = join(EXAMPLE, 'within-5-points.json');
const items = parseReplayDataset(readFileSync(DATASET, 'utf8'));
const teacher = items.map((item) => extractNumber(item.reference!)!.value);

const CN_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** 85 → 八十五, 70 → 七十, 100 → 一百 (how a Chinese grader may write its score). */
function chineseNumber(n: number): string {
  if (n === 100) return '一百';
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens > 0 ? `${tens > 1 ? CN_DIGITS[tens] : ''}十` : ''}${ones > 0 || tens === 0 ? CN_DIGITS[ones] : ''}`;
}

/** A grader's reply in the item's language, in one of three styles, so extraction is exercised end to end. */
function reply(index: number, grade: number): string {
  if (index < 20) return [`分数：${grade}`, `我给这篇作文打${chineseNumber(grade)}分。`, `得分：${grade}分。结构清晰，但细节不足。`][index % 3]!;
  return [`Score: ${grade}`, `Score: ${grade}/100`, `**Grade:** ${grade}. Clear argument, weak ending.`][index % 3]!;
}

// The incumbent is off by at most 5 points except on 4 essays (36 of 40 within); the candidate is within 5 on the
// 24 essays where index % 5 < 3 and 7–9 points low on the other 16.
const INCUMBENT_OFFSETS = [0, 2, -3, 4, -1, 3, -2, 1, 5, -4];
const incumbentGrade = (index: number) => teacher[index]! + (index % 10 === 7 ? -8 : INCUMBENT_OFFSETS[index % 10]!);
const candidateGrade = (index: number) => teacher[index]! + (index % 5 < 3 ? [-2, 0, 3][index % 3]! : -7 - (index % 3));

let stack: Stack;
/** The example's scenario config, as the README tells users to merge it. */
const configFile = join(EXAMPLE, 'tidegate.yaml');

beforeAll(async () => {
  stack = await startStack((simulator) => `
providers:${simulatedProvider(simulator, 'qwen')}${simulatedProvider(simulator, 'deepseek')}${simulatedProvider(simulator, 'glm')}
models:
  - { id: qwen-flash, provider: qwen }
  - { id: deepseek-v4-pro, provider: deepseek }
  - { id: glm-4.5, provider: glm }
metrics:
  essay_within_5: { type: boolean, optimize: max }
scenarios:
  essay-grading:
    quality: { metric: essay_within_5, target: 0.7, evaluator: { kind: numeric, tolerance: 5 } }
`, { router: null }); // models are named directly; the learned router is not needed
});
afterAll(async () => stack?.close());
beforeEach(() => stack.simulator.reset());

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function scriptGraders(): void {
  stack.simulator.script('qwen', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, candidateGrade(index)) })));
  stack.simulator.script('deepseek', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, incumbentGrade(index)) })));
}

const run = (...extra: string[]) => cli(['eval', 'run', '--dataset', DATASET, '--url', stack.gateway.url, ...extra]);

describe('tidegate eval run: essay grading within 5 points, end to end', () => {
  it('the example dataset is 40 essays, Chinese and English, with teacher scores 0–100', () => {
    expect(items).toHaveLength(40);
    expect(items.filter((item) => item.id.startsWith('zh-'))).toHaveLength(20);
    expect(teacher.every((score) => score >= 0 && score <= 100)).toBe(true);
  });

  it('scores candidate and incumbent, with Wilson intervals and the paired difference; a worse candidate is not promoted', async () => {
    scriptGraders();
    const result = await run('--model', 'qwen-flash', '--incumbent', 'deepseek-v4-pro', '--evaluator', WITHIN_5, '--concurrency', '1', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.evaluator).toBe('numeric within 5');
    expect(summary.items).toBe(40);
    const [candidate, incumbent] = summary.models;
    expect(candidate).toMatchObject({ model: 'qwen-flash', scored: 40, passed: 24, callErrors: 0, interval: 'wilson', servedBy: { 'qwen-flash': 40 } });
    expect(candidate.score.mean).toBe(0.6);
    // Wilson 24/40 by hand: centre (0.6 + 1.96²/80) / (1 + 1.96²/40) = 0.5912, half-width 0.1453.
    expect(candidate.score.lower).toBeCloseTo(0.4459, 3);
    expect(candidate.score.upper).toBeCloseTo(0.7365, 3);
    expect(incumbent).toMatchObject({ model: 'deepseek-v4-pro', scored: 40, passed: 36 });
    expect(summary.comparison).toMatchObject({ candidate: 'qwen-flash', incumbent: 'deepseek-v4-pro', pairs: 40, promote: false });
    expect(summary.comparison.difference.mean).toBeCloseTo(-0.3, 10);
    expect(summary.comparison.difference.upper).toBeLessThan(0);
    expect(candidate.costCny).toBeGreaterThan(0);

    // What went upstream: each essay once per model, at temperature 0, with the grading prompt.
    const toQwen = stack.simulator.requests.filter((request) => request.preset === 'qwen');
    expect(toQwen).toHaveLength(40);
    expect(toQwen[0]!.body).toMatchObject({ temperature: 0, messages: [{ role: 'system' }, { role: 'user', content: expect.stringContaining('我的妈妈') }] });
    expect(JSON.stringify(toQwen.map((request) => request.body))).not.toContain('分数：78'); // the reference never leaves
  });

  it('prints a readable table, and --cutoff turns the lower bound into an exit status (a CI gate)', async () => {
    scriptGraders();
    const failing = await run('--model', 'qwen-flash', '--incumbent', 'deepseek-v4-pro', '--evaluator', WITHIN_5, '--concurrency', '1', '--cutoff', '0.7');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('40 items, evaluator: numeric within 5 (pass rate, 95% Wilson interval)');
    expect(failing.stdout).toMatch(/qwen-flash\s+40\s+24\s+0\.600\s+\[0\.446, 0\.737\]/);
    expect(failing.stdout).toMatch(/paired difference qwen-flash − deepseek-v4-pro over 40 items: -0\.300, 95% CI \[-0\.\d+, -0\.\d+\]/);
    expect(failing.stdout).toContain('keep deepseek-v4-pro');
    expect(failing.stdout).toContain('cutoff FAILED: qwen-flash: lower 95% bound 0.446 < cutoff 0.7');
    expect(failing.stderr).toContain('80/80');

    stack.simulator.script('deepseek', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, incumbentGrade(index)) })));
    const passing = await run('--model', 'deepseek-v4-pro', '--evaluator', WITHIN_5, '--cutoff', '0.7', '--concurrency', '1');
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain('cutoff PASSED: deepseek-v4-pro: lower 95% bound 0.7695 ≥ cutoff 0.7');
  });

  it('--scenario takes the evaluator and the target (as the cutoff) from the example config', async () => {
    stack.simulator.script('qwen', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, candidateGrade(index)) })));
    const result = await run('--model', 'qwen-flash', '--scenario', 'essay-grading', '--config', configFile, '--concurrency', '1', '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ evaluator_source: 'scenario essay-grading', gate: { cutoff: 0.8, passed: false } });
    const unknown = await run('--model', 'qwen-flash', '--scenario', 'support', '--config', configFile);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('scenario "support" has no quality.evaluator in the config; scenarios with one: essay-grading');
  });

  it('runs calls concurrently and writes every answer with its score to --output', async () => {
    // Order is not fixed with 4 calls in flight, so every answer says the same grade: 80 passes for teacher scores 75–85.
    stack.simulator.script('qwen', items.map(() => ({ kind: 'delay' as const, ms: 80, then: { kind: 'ok' as const, content: 'Score: 80' } })));
    const output = join(stack.dir, 'answers.jsonl');
    const started = Date.now();
    const result = await run('--model', 'qwen-flash', '--evaluator', WITHIN_5, '--concurrency', '4', '--output', output, '--json');
    expect(result.code).toBe(0);
    const expected = teacher.filter((score) => Math.abs(score - 80) <= 5).length;
    expect(JSON.parse(result.stdout).models[0]).toMatchObject({ scored: 40, passed: expected });
    // One at a time this would take 40 × 80 ms = 3.2 s.
    expect(Date.now() - started).toBeLessThan(2400);
    const lines = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(40);
    expect(lines[0]).toMatchObject({ item: 'zh-01', model: 'qwen-flash', answer: 'Score: 80', evaluation: { passed: true, reason: '80 vs reference 78 (off by 2, allowed 5)' } });
  });

  it('--stop-early ends the replay once the sequential test decides, and --require-better uses its verdict', async () => {
    // A candidate that grades like the teacher against an incumbent 10 points off on every essay.
    stack.simulator.script('qwen', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, teacher[index]!) })));
    stack.simulator.script('deepseek', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, teacher[index]! - 10) })));
    const result = await run('--model', 'qwen-flash', '--incumbent', 'deepseek-v4-pro', '--evaluator', WITHIN_5, '--concurrency', '1', '--stop-early', '--require-better', '--json');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.sequential).toMatchObject({ verdict: 'candidate_better', delta: 0.05, itemsInDataset: 40, mean: 1 });
    expect(summary.sequential.pairs).toBe(16); // as the README says
    expect(summary.sequential.lower).toBeGreaterThan(0);
    expect(summary.items).toBe(summary.sequential.pairs);
    expect(stack.simulator.requests.filter((request) => request.preset === 'qwen')).toHaveLength(summary.sequential.pairs);

    stack.simulator.reset();
    stack.simulator.script('qwen', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, teacher[index]!) })));
    stack.simulator.script('deepseek', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, teacher[index]! - 10) })));
    const table = await run('--model', 'qwen-flash', '--incumbent', 'deepseek-v4-pro', '--evaluator', WITHIN_5, '--concurrency', '1', '--stop-early');
    expect(table.stdout).toMatch(/sequential test \(error ≤ 0\.05\): candidate better after \d+ of 40 items; difference \+1\.000, confidence sequence \[0\.\d+, 1\.000\]/);
  });

  it('an LLM judge is called through the gateway like any other request', async () => {
    stack.simulator.script('qwen', items.slice(0, 5).map((_, index) => ({ kind: 'ok' as const, content: reply(index, candidateGrade(index)) })));
    stack.simulator.script('glm', [8, 6, 9, 7, 10].map((score) => ({ kind: 'ok' as const, content: `{"reason": "grade is close to the teacher's", "score": ${score}}` })));
    const judge = JSON.stringify({ kind: 'llm_judge', model: 'glm-4.5', rubric: 'Is the grade fair for this essay, compared with the teacher score?' });
    const result = await run('--model', 'qwen-flash', '--evaluator', judge, '--limit', '5', '--concurrency', '1', '--json');
    expect(result.code).toBe(0);
    const [candidate] = JSON.parse(result.stdout).models;
    expect(candidate).toMatchObject({ scored: 5, interval: 'bootstrap' });
    expect(candidate.score.mean).toBeCloseTo(0.8, 10);
    const toJudge = stack.simulator.requests.filter((request) => request.preset === 'glm');
    expect(toJudge).toHaveLength(5);
    expect(JSON.stringify(toJudge[0]!.body)).toContain('Is the grade fair for this essay');
    expect(JSON.stringify(toJudge[0]!.body)).toContain('分数：78');
  });

  it('the README commands run as written, and print the output the README shows', async () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const block = /<!-- eval-commands -->\n```sh\n([\s\S]*?)```\n+```\n([\s\S]*?)```/.exec(readme);
    expect(block).not.toBeNull();
    const commands = block![1]!.replace(/\\\n\s*/g, '').split('\n').filter((text) => text.startsWith('npx tidegate '));
    expect(commands).toHaveLength(3);
    // A shell's word splitting, enough for these lines: spaces outside single quotes.
    const words = (command: string) => [...command.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!).slice(2);
    const columnsWithoutTiming = (text: string) => text.trim().replace(/ \d+ +(qwen-flash|deepseek-v4-pro)$/gm, ' N  $1');

    scriptGraders();
    const first = await cli([...words(commands[0]!), '--url', stack.gateway.url, '--concurrency', '1']);
    expect(first.code).toBe(1);
    expect(columnsWithoutTiming(first.stdout)).toBe(columnsWithoutTiming(block![2]!));

    stack.simulator.script('qwen', items.map((_, index) => ({ kind: 'ok' as const, content: reply(index, candidateGrade(index)) })));
    const second = await cli([...words(commands[1]!), '--url', stack.gateway.url, '--concurrency', '1']);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('cutoff FAILED: qwen-flash: lower 95% bound 0.446 < cutoff 0.8');

    const third = words(commands[2]!);
    expect(parseEvaluatorSpec(JSON.parse(third[third.indexOf('--evaluator') + 1]!))).toMatchObject({ kind: 'llm_judge', model: 'deepseek-v4-pro' });
  });

  it('refuses bad input with exit status 2 and says what is wrong', async () => {
    const badSpec = await run('--model', 'qwen-flash', '--evaluator', '{"kind":"fuzzy"}');
    expect(badSpec.code).toBe(2);
    expect(badSpec.stderr).toMatch(/kind is one of exact, regex, json_schema, numeric, llm_judge/);
    const broken = join(stack.dir, 'broken.jsonl');
    writeFileSync(broken, '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"1"}]}\n{"messages": oops}\n');
    const badData = await cli(['eval', 'run', '--dataset', broken, '--model', 'qwen-flash', '--evaluator', WITHIN_5, '--url', stack.gateway.url]);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toContain('broken.jsonl line 2: not JSON');
    const unknownModel = await run('--model', 'no-such-model', '--evaluator', WITHIN_5, '--limit', '2');
    expect(unknownModel.code).toBe(2);
    expect(unknownModel.stderr).toContain('every call to no-such-model failed; first error: 404 model_not_found');
    expect((await run('--model', 'qwen-flash', '--evaluator', WITHIN_5, '--priority', 'urgent')).stderr).toContain('--priority takes standard or interactive');
    expect((await run('--model', 'qwen-flash')).stderr).toContain('give an evaluator: --evaluator SPEC.json or --scenario NAME');
    expect((await run('--model', 'qwen-flash', '--evaluator', WITHIN_5, '--cutof', '1')).code).toBe(2);
  });

  it('is listed in tidegate --help and explains itself', async () => {
    expect((await cli(['--help'])).stdout).toContain('eval run --dataset FILE.jsonl --model M');
    const help = await cli(['eval', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--priority P');
    expect((await cli(['eval'])).code).toBe(2);
    expect((await cli(['eval', 'compare'])).stderr).toContain('unknown subcommand "compare"');
  });
});
