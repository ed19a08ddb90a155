import { describe, expect, it } from 'vitest';
import { createEvaluator } from '../../src/evaluation/evaluators/index.js';
import { parseEvaluatorSpec } from '../../src/evaluation/spec.js';

const score = async (spec: unknown, answer: string, reference?: string) =>
  createEvaluator(parseEvaluatorSpec(spec)).evaluate({ prompt: [{ role: 'user', content: 'q' }], answer, reference });

describe('exact match', () => {
  it('ignores case, surrounding space and full-width forms by default', async () => {
    expect((await score({ kind: 'exact' }, '  Paris \n', 'paris')).passed).toBe(true);
    expect((await score({ kind: 'exact' }, 'ＡＢＣ１２３', 'abc123')).passed).toBe(true);
    expect((await score({ kind: 'exact' }, 'Paris.', 'Paris')).passed).toBe(false);
  });

  it('honours caseSensitive and ignorePunctuation, in Chinese too', async () => {
    expect((await score({ kind: 'exact', caseSensitive: true }, 'paris', 'Paris')).passed).toBe(false);
    expect((await score({ kind: 'exact', ignorePunctuation: true }, '退款。', '退款')).passed).toBe(true);
    expect((await score({ kind: 'exact', ignorePunctuation: true }, 'Yes, refund!', 'yes refund')).passed).toBe(true);
    expect((await score({ kind: 'exact', ignorePunctuation: true }, '「50%」', '50')).passed).toBe(false);
  });

  it('fails with a reason when there is no reference', async () => {
    const result = await score({ kind: 'exact' }, 'x');
    expect(result).toMatchObject({ passed: false, score: 0 });
    expect(result.reason).toMatch(/no reference/);
  });
});

describe('regex', () => {
  it('must match, or must not', async () => {
    expect((await score({ kind: 'regex', pattern: '意图[:：]\\s*退款' }, '意图：退款')).passed).toBe(true);
    expect((await score({ kind: 'regex', pattern: 'sorry', flags: 'i' }, 'Sorry about that')).passed).toBe(true);
    const refused = await score({ kind: 'regex', pattern: 'as an AI', flags: 'i', mustMatch: false }, 'As an AI, I cannot');
    expect(refused.passed).toBe(false);
    expect(refused.reason).toContain('As an AI');
  });
});

describe('numeric tolerance', () => {
  it('passes within 5 points of the teacher, fails beyond, in both languages', async () => {
    const spec = { kind: 'numeric', tolerance: 5 };
    expect(await score(spec, '得分：87分', '85')).toMatchObject({ passed: true, score: 1, value: 87 });
    expect((await score(spec, 'Score: 80/100', '85')).passed).toBe(true);
    const far = await score(spec, '我给七十九分', '85');
    expect(far).toMatchObject({ passed: false, score: 0, value: 79 });
    expect(far.reason).toBe('79 vs reference 85 (off by 6, allowed 5)');
  });

  it('supports a relative tolerance and reports an answer without a number', async () => {
    expect((await score({ kind: 'numeric', tolerance: 0.1, relative: true }, '108', '100')).passed).toBe(true);
    expect((await score({ kind: 'numeric', tolerance: 0.1, relative: true }, '111', '100')).passed).toBe(false);
    expect((await score({ kind: 'numeric', tolerance: 5 }, 'A fine essay.', '85')).reason).toMatch(/states no number/);
  });
});

describe('json schema', () => {
  const spec = {
    kind: 'json_schema',
    schema: {
      type: 'object',
      required: ['intent', 'confidence'],
      additionalProperties: false,
      properties: { intent: { enum: ['refund', 'complaint', 'question'] }, confidence: { type: 'number', minimum: 0, maximum: 1 }, tags: { type: 'array', items: { type: 'string' }, maxItems: 3 } },
    },
  };

  it('accepts a valid object, also inside a code fence or a sentence', async () => {
    expect((await score(spec, '{"intent":"refund","confidence":0.9}')).passed).toBe(true);
    expect((await score(spec, '```json\n{"intent":"question","confidence":0.5}\n```')).passed).toBe(true);
    expect((await score(spec, 'Result: {"intent":"complaint","confidence":1} done')).passed).toBe(true);
  });

  it('names what is wrong', async () => {
    const result = await score(spec, '{"intent":"chat","confidence":2,"extra":1}');
    expect(result.passed).toBe(false);
    expect(result.reason).toContain('/intent must be one of');
    expect(result.reason).toContain('/confidence must be ≤ 1');
    expect(result.reason).toContain('unexpected property "extra"');
    expect((await score(spec, 'not json at all')).reason).toBe('the answer contains no JSON');
    expect((await score(spec, '{"confidence":0.2}')).reason).toContain('missing required property "intent"');
  });

  it('follows local $ref, tuples, oneOf, uniqueItems and patternProperties', async () => {
    const grades = {
      kind: 'json_schema',
      schema: {
        $defs: { grade: { type: 'integer', minimum: 0, maximum: 100 } },
        type: 'object',
        properties: {
          scores: { type: 'array', prefixItems: [{ $ref: '#/$defs/grade' }, { $ref: '#/$defs/grade' }], items: false, uniqueItems: true },
          comment: { oneOf: [{ type: 'string', maxLength: 10 }, { type: 'null' }] },
        },
        patternProperties: { '^x-': { type: 'boolean' } },
      },
    };
    expect((await score(grades, '{"scores":[85,90],"comment":null,"x-checked":true}')).passed).toBe(true);
    const wrong = await score(grades, '{"scores":[85,85,70],"comment":"a very long comment","x-checked":"yes"}');
    expect(wrong.reason).toContain('/scores items must be unique');
    expect(wrong.reason).toContain('/scores/2 no value is allowed here');
    expect(wrong.reason).toContain('/comment must match exactly one of oneOf, matches 0');
    expect(wrong.reason).toContain('and 1 more');
    expect((await score(grades, '{"scores":[101.5]}')).reason).toBe('/scores/0 expected integer, got number');
  });

  it('refuses a schema with keywords it would not check, instead of passing everything', () => {
    expect(() => createEvaluator(parseEvaluatorSpec({ kind: 'json_schema', schema: { type: 'string', pattern: '(' } }))).toThrow(/pattern "\(" is not a valid regular expression/);
    expect(() => createEvaluator(parseEvaluatorSpec({ kind: 'json_schema', schema: { type: 'object', if: { required: ['a'] }, then: { required: ['b'] } } }))).toThrow(/does not check: #: if, #: then/);
  });
});

describe('evaluator specs', () => {
  it('accepts the config spellings json-schema and llm-judge', () => {
    expect(parseEvaluatorSpec({ kind: 'json-schema', schema: {} }).kind).toBe('json_schema');
    expect(parseEvaluatorSpec({ kind: 'llm-judge', model: 'qwen-max' }).kind).toBe('llm_judge');
  });

  it('says which field is wrong and which kinds exist', () => {
    expect(() => parseEvaluatorSpec({ kind: 'numeric' })).toThrow(/tolerance/);
    expect(() => parseEvaluatorSpec({ kind: 'fuzzy' })).toThrow(/kind is one of exact, regex, json_schema, numeric, llm_judge/);
    expect(() => parseEvaluatorSpec({ kind: 'regex', pattern: '(' })).toThrow(/pattern: is not a valid regular expression/);
    expect(() => parseEvaluatorSpec({ kind: 'exact', tolerance: 5 })).toThrow(/tolerance/);
    expect(() => parseEvaluatorSpec({ kind: 'llm_judge', model: 'm', scale: { min: 5, max: 1 } })).toThrow(/scale.max must be greater/);
  });
});

describe('the config schema of scenarios.<name>.quality.evaluator', () => {
  it('every evaluator the gateway config accepts is a valid EvaluatorSpec with the same meaning', async () => {
    const { evaluatorSchema } = await import('../../src/flywheel/evaluator-config.js');
    const written = [
      { kind: 'exact', caseSensitive: true },
      { kind: 'regex', pattern: '退款|refund', flags: 'i', mustMatch: false },
      { kind: 'json-schema', schema: { type: 'object', required: ['intent'] } },
      { kind: 'numeric', tolerance: '5' },
      { kind: 'llm-judge', model: 'deepseek-v4-pro', rubric: 'intent?', scale: { min: 1, max: 5 }, includeReference: false },
    ];
    for (const entry of written) {
      const fromConfig = evaluatorSchema.parse(entry);
      const spec = parseEvaluatorSpec(fromConfig);
      expect(spec.kind.replace('_', '-')).toBe(entry.kind);
      expect(spec).toEqual(fromConfig);
    }
  });
});
