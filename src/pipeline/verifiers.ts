import type { ChatRequest } from '../canonical/chat.js';
import { messageText } from '../tokens/estimate.js';

/**
 * The answer a sample commits to, for self-consistency: the last number when the text has one
 * (arithmetic and word problems), otherwise the text lower-cased with spacing and punctuation removed.
 */
export function finalAnswer(text: string): string {
  const numbers = text.replace(/(\d),(\d{3})/g, '$1$2').match(/-?\d+(?:\.\d+)?/g);
  if (numbers && numbers.length > 0) return String(Number(numbers[numbers.length - 1]));
  return text.toLowerCase().replace(/[\s\p{P}]+/gu, '').slice(0, 200);
}

export function samplesAgree(texts: readonly string[]): boolean {
  const answers = texts.map(finalAnswer);
  return answers.every((answer) => answer === answers[0] && answer !== '');
}

/** A judge request: the question, the candidate answer, and a one-word verdict. */
export function judgePrompt(request: ChatRequest, answer: string, judgeModel: string): ChatRequest {
  const question = request.messages.filter((message) => message.role === 'user').map(messageText).join('\n\n');
  return {
    model: judgeModel,
    temperature: 0,
    max_tokens: 5,
    messages: [
      { role: 'system', content: 'You check answers. Reply with exactly one word: YES if the answer is correct and complete, NO otherwise.' },
      { role: 'user', content: `Question:\n${question}\n\nAnswer:\n${answer}\n\nIs the answer correct and complete?` },
    ],
  };
}

export function parseJudgeVerdict(text: string): boolean {
  return /^\W*(yes|是|对|正确)/i.test(text.trim());
}
