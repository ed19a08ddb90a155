import type { NormalizedUsage } from '../canonical/usage.js';
import type { GatewayError } from '../errors/catalogue.js';

/**
 * The small part of Anthropic's Messages API wire format that Tidegate translates, plus the few
 * helpers both directions share. Kept independent of @anthropic-ai/sdk (a dev dependency only).
 */

export interface AnthropicTextBlock { type: 'text'; text: string; [key: string]: unknown }
export interface AnthropicThinkingBlock { type: 'thinking'; thinking: string; signature: string }
export interface AnthropicToolUseBlock { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
export type AnthropicContentBlock = AnthropicTextBlock | AnthropicThinkingBlock | AnthropicToolUseBlock;

export type AnthropicImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string };
export interface AnthropicImageBlock { type: 'image'; source: AnthropicImageSource }
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
  is_error?: boolean;
}
export type AnthropicRequestBlock = AnthropicContentBlock | AnthropicImageBlock | AnthropicToolResultBlock;

export interface AnthropicMessageParam {
  role: 'user' | 'assistant';
  content: string | AnthropicRequestBlock[];
}

/** The tool a structured-output request is forced through (anthropic-outbound.ts structuredOutputTool). */
export const STRUCTURED_OUTPUT_TOOL = 'tidegate_json_response';

export interface AnthropicTool { name: string; description?: string; input_schema: Record<string, unknown> }
export type AnthropicToolChoice =
  | { type: 'auto' | 'any' | 'none'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean };

/** The outbound request body Tidegate sends to Anthropic. */
export interface AnthropicMessagesRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessageParam[];
  system?: string | AnthropicTextBlock[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  stream?: boolean;
}

export type AnthropicStopReason =
  | 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
  output_tokens_details?: { thinking_tokens: number } | null;
  [key: string]: unknown;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

/**
 * Prefix marking a canonical `tool` message that came from an Anthropic `tool_result` with
 * `is_error: true`; the outbound direction turns it back into `is_error: true`.
 */
export const TOOL_ERROR_PREFIX = '[tool error] ';

/**
 * Tool-call arguments (a JSON string) as an Anthropic `input` object. Empty arguments give `{}`.
 * Anything that is not a JSON object (invalid JSON, an array, a number…) is kept verbatim as
 * `{ "_raw": "<arguments>" }` so nothing is lost and `input` is always an object.
 */
export function parseToolInput(args: string | undefined): { input: Record<string, unknown>; valid: boolean } {
  if (args === undefined || args.trim() === '') return { input: {}, valid: true };
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { input: parsed as Record<string, unknown>, valid: true };
    }
  } catch {
    // fall through
  }
  return { input: { _raw: args }, valid: false };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Canonical finish_reason → Anthropic stop_reason. */
export function finishReasonToStopReason(reason: string | null | undefined): AnthropicStopReason {
  switch (reason) {
    case 'length': return 'max_tokens';
    case 'tool_calls': case 'function_call': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}

/** NormalizedUsage → Anthropic usage (input_tokens excludes cache reads and writes). */
export function anthropicUsage(usage: NormalizedUsage): AnthropicUsage {
  const result: AnthropicUsage = {
    input_tokens: usage.inputUncached,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: usage.output,
  };
  if (usage.reasoning > 0) result.output_tokens_details = { thinking_tokens: usage.reasoning };
  return result;
}

/** Anthropic's error `type` for a gateway error, as used in `{"type":"error","error":{type,message}}`. */
export function anthropicErrorType(error: GatewayError): string {
  // By status, as Anthropic's own API does (its SDKs pick the exception class by status too), so that every
  // catalogue code, present and future, gets the type an Anthropic client expects.
  switch (error.status) {
    case 400: case 405: case 415: case 431: return 'invalid_request_error';
    case 401: return 'authentication_error';
    case 402: return 'billing_error';
    case 403: return 'permission_error';
    case 404: return 'not_found_error';
    case 413: return 'request_too_large';
    case 429: return 'rate_limit_error';
    case 503: return 'overloaded_error';
    case 504: return 'timeout_error';
    default: return 'api_error';
  }
}

/** The Anthropic error envelope for a gateway error (HTTP body or SSE `error` event data). */
export function anthropicErrorBody(error: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
}
