import { z } from 'zod';
import type { CapturedMessage } from './captured-content.js';

/*
 * Fine-tuning upload formats, one JSON object (or array) per line. Each format renders an example and has
 * a schema every line is checked against before it is written. Sources: OpenAI fine-tuning (SFT, DPO),
 * Alibaba Bailian / Model Studio "data upload rules" (ChatML messages, no name or weight), Volcano Ark SFT
 * (loss_weight on assistant turns), Baidu Qianfan "Prompt+Response" and "Prompt+Chosen+Rejected" (a JSON
 * array of turns per line), and ChatML text for open-weight LoRA trainers.
 */

export const EXPORT_FORMATS = ['openai-sft', 'openai-dpo', 'bailian-sft', 'ark-sft', 'qianfan-sft', 'qianfan-dpo', 'chatml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One curated example: the conversation before the answer, the chosen answer and (for preference data) the rejected one. */
export interface Example {
  readonly prompt: readonly CapturedMessage[];
  readonly chosen: string;
  readonly rejected?: string;
}

/** Why an example cannot be written in a format; rendered lines that fail the schema are reported the same way. */
export class Unrepresentable extends Error {}

const text = z.string().min(1);
const openAiMessage = z.union([
  z.strictObject({ role: z.literal('system'), content: text }),
  z.strictObject({ role: z.literal('user'), content: text }),
  z.strictObject({ role: z.literal('assistant'), content: text, weight: z.union([z.literal(0), z.literal(1)]).optional() }),
]);
const lastIsAssistant = (messages: ReadonlyArray<{ role: string }>) => messages.at(-1)?.role === 'assistant' && messages.some((m) => m.role === 'user');

export const lineSchemas: Record<ExportFormat, z.ZodType> = {
  'openai-sft': z.strictObject({ messages: z.array(openAiMessage).min(2).refine(lastIsAssistant, { error: 'must end with the assistant answer after a user turn' }) }),
  'openai-dpo': z.strictObject({
    input: z.strictObject({ messages: z.array(openAiMessage).min(1).refine((m) => m.at(-1)?.role === 'user', { error: 'must end with a user turn' }) }),
    preferred_output: z.tuple([z.strictObject({ role: z.literal('assistant'), content: text })]),
    non_preferred_output: z.tuple([z.strictObject({ role: z.literal('assistant'), content: text })]),
  }).refine((line) => line.preferred_output[0].content !== line.non_preferred_output[0].content, { error: 'preferred and non-preferred outputs are the same' }),
  'bailian-sft': z.strictObject({
    messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: text })).min(2).refine(lastIsAssistant, { error: 'must end with the assistant answer after a user turn' }),
  }),
  'ark-sft': z.strictObject({
    messages: z
      .array(z.union([
        z.strictObject({ role: z.enum(['system', 'user']), content: text }),
        z.strictObject({ role: z.literal('assistant'), content: text, loss_weight: z.number().min(0).max(1) }),
      ]))
      .min(2)
      .refine(lastIsAssistant, { error: 'must end with the assistant answer after a user turn' }),
  }),
  'qianfan-sft': z.array(z.strictObject({ system: text.optional(), prompt: text, response: text })).min(1).max(150)
    .refine((turns) => turns.slice(1).every((turn) => turn.system === undefined), { error: 'only the first turn may carry system' }),
  'qianfan-dpo': z.array(z.union([
    z.strictObject({ system: text.optional(), user: text, assistant: text }),
    z.strictObject({ system: text.optional(), user: text, chosen: text, rejected: text }),
  ])).min(1).max(150)
    .refine((turns) => {
      const last = turns.at(-1) as Record<string, unknown> | undefined;
      return last !== undefined && 'chosen' in last && turns.slice(0, -1).every((turn) => 'assistant' in turn);
    }, { error: 'earlier turns need user and assistant, the last user, chosen and rejected' })
    .refine((turns) => {
      const last = turns.at(-1) as { chosen?: string; rejected?: string };
      return last.chosen !== last.rejected;
    }, { error: 'chosen and rejected are the same' }),
  chatml: z.strictObject({ text: z.string().regex(/^(<\|im_start\|>(system|user|assistant)\n[\s\S]*?<\|im_end\|>\n)+$/, { error: 'is not ChatML turns' }).refine((t) => t.trimEnd().endsWith('<|im_end|>') && t.lastIndexOf('<|im_start|>assistant\n') > t.lastIndexOf('<|im_start|>user\n'), { error: 'must end with an assistant turn' }) }),
};

/** Text-only system, user and assistant turns (several system messages merged into one at the start). */
function plainTurns(prompt: readonly CapturedMessage[], format: ExportFormat): Array<{ role: 'system' | 'user' | 'assistant'; content: string }> {
  const system: string[] = [];
  const turns: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (const message of prompt) {
    if (message.role === 'tool' || message.tool_calls?.length) throw new Unrepresentable(`tool calls are not exported to ${format}`);
    if (message.role === 'system') {
      if (turns.length > 0) throw new Unrepresentable(`a system message after the first turn cannot be written in ${format}`);
      if (message.content.trim() !== '') system.push(message.content);
      continue;
    }
    if (message.content.trim() === '') throw new Unrepresentable('a turn with no text');
    turns.push({ role: message.role, content: message.content });
  }
  if (turns.at(-1)?.role !== 'user') throw new Unrepresentable('the prompt does not end with a user turn');
  return [...(system.length > 0 ? [{ role: 'system' as const, content: system.join('\n\n') }] : []), ...turns];
}

/** user/assistant pairs for Qianfan; the conversation must alternate strictly. */
function pairs(prompt: readonly CapturedMessage[], format: ExportFormat): { system: string | undefined; pairs: Array<{ user: string; assistant: string | undefined }> } {
  const turns = plainTurns(prompt, format);
  const system = turns[0]?.role === 'system' ? turns.shift()!.content : undefined;
  const out: Array<{ user: string; assistant: string | undefined }> = [];
  for (let i = 0; i < turns.length; i += 2) {
    const user = turns[i]!;
    const assistant = turns[i + 1];
    if (user.role !== 'user' || (assistant !== undefined && assistant.role !== 'assistant')) throw new Unrepresentable(`${format} needs turns that alternate user, assistant`);
    out.push({ user: user.content, assistant: assistant?.content });
  }
  return { system, pairs: out };
}

function needsRejected(example: Example, format: ExportFormat): string {
  if (example.rejected === undefined || example.rejected.trim() === '') throw new Unrepresentable(`${format} needs a rejected answer (a demonstration that differs from the model's answer)`);
  return example.rejected;
}

/** The line for one example in a format (not yet schema-checked). Throws Unrepresentable when the format cannot hold it. */
export function renderExample(format: ExportFormat, example: Example): unknown {
  if (example.chosen.trim() === '') throw new Unrepresentable('the answer is empty');
  switch (format) {
    case 'openai-sft': {
      const turns = plainTurns(example.prompt, format);
      // Earlier assistant turns are context written by whoever answered then; only the curated answer is trained on.
      return { messages: [...turns.map((turn) => (turn.role === 'assistant' ? { ...turn, weight: 0 } : turn)), { role: 'assistant', content: example.chosen }] };
    }
    case 'openai-dpo':
      return {
        input: { messages: plainTurns(example.prompt, format) },
        preferred_output: [{ role: 'assistant', content: example.chosen }],
        non_preferred_output: [{ role: 'assistant', content: needsRejected(example, format) }],
      };
    case 'bailian-sft':
      return { messages: [...plainTurns(example.prompt, format), { role: 'assistant', content: example.chosen }] };
    case 'ark-sft': {
      const turns = plainTurns(example.prompt, format).map((turn) => (turn.role === 'assistant' ? { ...turn, loss_weight: 0 } : turn));
      return { messages: [...turns, { role: 'assistant', content: example.chosen, loss_weight: 1 }] };
    }
    case 'qianfan-sft': {
      const { system, pairs: turns } = pairs(example.prompt, format);
      return turns.map((turn, index) => ({
        ...(index === 0 && system !== undefined ? { system } : {}),
        prompt: turn.user,
        response: turn.assistant ?? example.chosen,
      }));
    }
    case 'qianfan-dpo': {
      const { system, pairs: turns } = pairs(example.prompt, format);
      const rejected = needsRejected(example, format);
      return turns.map((turn, index) => ({
        ...(index === 0 && system !== undefined ? { system } : {}),
        user: turn.user,
        ...(turn.assistant === undefined ? { chosen: example.chosen, rejected } : { assistant: turn.assistant }),
      }));
    }
    case 'chatml': {
      const turns = [...plainTurns(example.prompt, format), { role: 'assistant' as const, content: example.chosen }];
      if (turns.some((turn) => turn.content.includes('<|im_'))) throw new Unrepresentable('the text contains ChatML control tokens');
      return { text: turns.map((turn) => `<|im_start|>${turn.role}\n${turn.content}<|im_end|>\n`).join('') };
    }
  }
}

/** Whether a format is preference data (needs a rejected answer). */
export const isPreferenceFormat = (format: ExportFormat): boolean => format === 'openai-dpo' || format === 'qianfan-dpo';

/** Every string in a line, for the personal-data re-scan. */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (typeof value === 'object' && value !== null) for (const item of Object.values(value)) stringsOf(item, out);
  return out;
}
