import type { ChatRequest } from '../canonical/chat.js';
import { messageText } from './estimate.js';
import { countTextTokensDetailed, type TokenizerFamily } from './tokenizers.js';

/**
 * Framing overhead, following OpenAI's counting guidance (<|im_start|>role\n … <|im_end|>\n ≈ 4 tokens
 * per message, +1 when a `name` is given, +3 priming the reply). Chinese-native chat templates (Qwen's
 * <|im_start|>, DeepSeek's <｜User｜>/<｜Assistant｜>) cost about the same. Tools: the JSON of the
 * definitions plus TOOLS_OVERHEAD for the template's wrapper text; the JSON is a slight over-estimate
 * of OpenAI's internal TypeScript-like rendering, which suits admission (a worst case).
 */
export const PER_MESSAGE_TOKENS = 4;
export const PER_NAME_TOKENS = 1;
export const REPLY_PRIMING_TOKENS = 3;
export const TOOLS_OVERHEAD_TOKENS = 12;

/**
 * Pre-flight estimate of a chat request's input tokens for budget admission and context checks (never
 * billing). Counts every message's text (string or text parts), `reasoning_content` passed back, tool
 * calls (name + arguments), `name`, tool definitions and a `json_schema` response format. Images and other
 * non-text parts are NOT counted here (priced by the vision module). All text is counted in one pass so
 * the long-text cap in `countTextTokensDetailed` bounds the whole request; segments are joined with "\n",
 * which adds about one token per segment (an over-estimate on the safe side).
 */
export function estimateChatInputTokens(request: ChatRequest, family: TokenizerFamily): { tokens: number; method: string } {
  const segments: string[] = [];
  let overhead = REPLY_PRIMING_TOKENS;
  for (const message of request.messages ?? []) {
    overhead += PER_MESSAGE_TOKENS;
    segments.push(message.role);
    if (typeof message.name === 'string' && message.name.length > 0) {
      overhead += PER_NAME_TOKENS;
      segments.push(message.name);
    }
    if (typeof message.reasoning_content === 'string' && message.reasoning_content.length > 0) segments.push(message.reasoning_content);
    if (typeof message.tool_call_id === 'string') segments.push(message.tool_call_id);
    const text = messageText(message); // content text parts + tool_calls' name and arguments
    if (text.length > 0) segments.push(text);
  }
  if (request.tools && request.tools.length > 0) {
    overhead += TOOLS_OVERHEAD_TOKENS;
    segments.push(JSON.stringify(request.tools));
  }
  const format = request.response_format;
  if (format && format.type === 'json_schema' && format['json_schema'] !== undefined) segments.push(JSON.stringify(format['json_schema']));
  const counted = countTextTokensDetailed(family, segments.join('\n'));
  return { tokens: counted.tokens + overhead, method: counted.method };
}
