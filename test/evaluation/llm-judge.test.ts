import { describe, expect, it } from 'vitest';
import type { ChatClient, ChatRequest } from '../../src/evaluation/chat-client.js';
import { createEvaluator } from '../../src/evaluation/evaluators/index.js';
import { JudgeAnswerError, parseJudgeReply } from '../../src/evaluation/evaluators/llm-judge.js';
import { parseEvaluatorSpec } from '../../src/evaluation/spec.js';

function judgeSaying(reply: string): { client: ChatClient; sent: ChatRequest[] } {
  const sent: ChatRequest[] = [];
  return {
    sent,
    client: {
      async complete(request) {
        sent.push(request);
        return { content: reply, servedBy: request.model, costCny: 0.001, requestId: 'r1', latencyMs: 1 };
      },
    },
  };
}

const input = { prompt: [{ role: 'user', content: '我要退货' }], answer: '好的，已为您办理退货。', reference: '识别意图：退货，并引导办理' };

describe('llm judge', () => {
  it('calls the configured model with the rubric, conversation, reference and answer, at temperature 0', async () => {
    const { client, sent } = judgeSaying('{"reason": "recognises the return intent", "score": 8}');
    const evaluator = createEvaluator(parseEvaluatorSpec({ kind: 'llm_judge', model: 'qwen-max', rubric: 'Does the reply recognise the intent?' }), { judgeClient: client });
    const result = await evaluator.evaluate(input);
    expect(result).toMatchObject({ score: 0.8, passed: true, value: 8 });
    expect(result.reason).toBe('judge 8/10: recognises the return intent');
    expect(sent[0]).toMatchObject({ model: 'qwen-max', temperature: 0 });
    const user = sent[0]!.messages[1]!.content;
    expect(user).toContain('Does the reply recognise the intent?');
    expect(user).toContain('我要退货');
    expect(user).toContain('识别意图：退货');
    expect(user).toContain('已为您办理退货');
  });

  it('leaves the reference out when asked, and scales a custom range', async () => {
    const { client, sent } = judgeSaying('{"score": 2, "reason": "poor"}');
    const evaluator = createEvaluator(parseEvaluatorSpec({ kind: 'llm_judge', model: 'j', includeReference: false, scale: { min: 1, max: 5 } }), { judgeClient: client });
    expect(await evaluator.evaluate(input)).toMatchObject({ score: 0.25, passed: false });
    expect(sent[0]!.messages[1]!.content).not.toContain('识别意图');
  });

  it('reads scores from fenced JSON, strings and plain text, and refuses replies without one', () => {
    const scale = { min: 0, max: 10 };
    expect(parseJudgeReply('```json\n{"thinking":"ok","score":"7"}\n```', scale)).toEqual({ score: 7, reason: 'ok' });
    expect(parseJudgeReply('The answer is fine. Score: 6', scale).score).toBe(6);
    expect(parseJudgeReply('评分：9分', scale).score).toBe(9);
    expect(() => parseJudgeReply('I cannot judge this.', scale)).toThrow(JudgeAnswerError);
    expect(() => parseJudgeReply('{"score": 42}', scale)).toThrow(/outside 0–10/);
  });

  it('needs a gateway to call', () => {
    expect(() => createEvaluator(parseEvaluatorSpec({ kind: 'llm_judge', model: 'j' }))).toThrow(/no gateway/);
  });
});
