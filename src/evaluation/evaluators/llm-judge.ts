import type { ChatClient } from '../chat-client.js';
import type { LlmJudgeSpec } from '../spec.js';
import { extractJson } from './json-schema-match.js';
import { extractNumber } from './number-extraction.js';
import { quote, type EvalMessage, type EvaluationInput, type EvaluationResult, type Evaluator } from './types.js';

/** The judge answered something no score could be read from; the item is left out of the statistics. */
export class JudgeAnswerError extends Error {
  override readonly name = 'JudgeAnswerError';
}

const DEFAULT_RUBRIC = 'Is the answer correct, complete and helpful for the request? When a reference answer is given, judge agreement with it.';

/** The messages sent to the judge model: the rubric, the conversation, the reference and the answer to score. */
export function judgeMessages(spec: LlmJudgeSpec, input: EvaluationInput): EvalMessage[] {
  const { min, max } = spec.scale ?? { min: 0, max: 10 };
  const conversation = input.prompt.map((message) => `[${message.role}]\n${message.content}`).join('\n\n');
  const parts = [
    `Rubric: ${spec.rubric ?? DEFAULT_RUBRIC}`,
    `<conversation>\n${conversation}\n</conversation>`,
    ...(spec.includeReference !== false && input.reference !== undefined ? [`<reference_answer>\n${input.reference}\n</reference_answer>`] : []),
    `<answer_to_score>\n${input.answer}\n</answer_to_score>`,
  ];
  return [
    {
      role: 'system',
      content: `You are a strict, fair grader. Score the answer against the rubric on a scale from ${min} to ${max} (higher is better). Reply with JSON only: {"reason": "<one or two sentences>", "score": <number from ${min} to ${max}>}.`,
    },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

/** The judge's score and reason from its reply: JSON first ({"score": 8, "reason": …}), else a labelled number. */
export function parseJudgeReply(reply: string, scale: { min: number; max: number }): { score: number; reason: string } {
  const json = extractJson(reply)?.value;
  let score: number | undefined;
  let reason: string | undefined;
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    const raw = record['score'] ?? record['rating'] ?? record['grade'];
    score = typeof raw === 'number' ? raw : typeof raw === 'string' ? extractNumber(raw)?.value : undefined;
    const text = record['reason'] ?? record['thinking'] ?? record['explanation'] ?? record['rationale'];
    if (typeof text === 'string') reason = text;
  }
  if (score === undefined) score = extractNumber(reply)?.value;
  if (score === undefined || !Number.isFinite(score)) throw new JudgeAnswerError(`the judge's reply states no score: ${quote(reply)}`);
  if (score < scale.min || score > scale.max) throw new JudgeAnswerError(`the judge's score ${score} is outside ${scale.min}–${scale.max}: ${quote(reply)}`);
  return { score, reason: reason ?? reply.replace(/\s+/g, ' ').trim().slice(0, 200) };
}

/** Asks a judge model, through the gateway like any other request, to score the answer against a rubric. */
export function llmJudge(spec: LlmJudgeSpec, client: ChatClient): Evaluator {
  const scale = spec.scale ?? { min: 0, max: 10 };
  const passAt = spec.passAt ?? 0.5;
  return {
    description: `judged by ${spec.model} (${scale.min}–${scale.max})`,
    binary: false,
    async evaluate(input: EvaluationInput): Promise<EvaluationResult> {
      const reply = await client.complete({ model: spec.model, messages: judgeMessages(spec, input), temperature: 0, max_tokens: 512 });
      const { score, reason } = parseJudgeReply(reply.content, scale);
      const scaled = (score - scale.min) / (scale.max - scale.min);
      return { score: scaled, passed: scaled >= passAt, reason: `judge ${score}/${scale.max}: ${reason}`, value: score };
    },
  };
}
