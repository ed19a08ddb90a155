/**
 * Wire shapes of OpenAI's Responses API (`POST /v1/responses`) as far as Tidegate serves it, and the
 * mappings shared by the JSON and streamed answers: usage, status, the response object's echo of the request.
 */
import type { FinishReason } from '../canonical/chat.js';
import { totalInput, type NormalizedUsage } from '../canonical/usage.js';
import type { GatewayError } from '../errors/catalogue.js';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** Tidegate's addition, as on chat completions: the cost in CNY as a decimal string. */
  cost_cny?: string;
}

export interface OutputText { type: 'output_text'; text: string; annotations: never[]; logprobs: never[] }
export interface SummaryText { type: 'summary_text'; text: string }

export type OutputItem =
  | { type: 'message'; id: string; status: ItemStatus; role: 'assistant'; content: OutputText[] }
  | { type: 'reasoning'; id: string; summary: SummaryText[] }
  | { type: 'function_call'; id: string; status: ItemStatus; call_id: string; name: string; arguments: string };

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/**
 * The request fields a response object repeats (OpenAI echoes them so a client can log one object).
 * Built once from the validated request by the inbound translation.
 */
export interface ResponseEcho {
  model: string;
  instructions: string | null;
  max_output_tokens: number | null;
  temperature: number | null;
  top_p: number | null;
  parallel_tool_calls: boolean;
  tool_choice: unknown;
  tools: unknown[];
  text: { format: Record<string, unknown> };
  reasoning: { effort: string | null; summary: string | null };
  metadata: Record<string, unknown>;
  user: string | null;
  /** Whether the response is kept (for previous_response_id, item references and GET). */
  store: boolean;
  previous_response_id: string | null;
}

export interface ResponseObject extends Omit<ResponseEcho, 'model'> {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  model: string;
  output: OutputItem[];
  truncation: 'disabled';
  usage: ResponsesUsage | null;
  [key: string]: unknown;
}

export function responsesUsage(usage: NormalizedUsage, costCny?: string): ResponsesUsage {
  const input = totalInput(usage);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage.cacheRead },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: input + usage.output,
    ...(costCny !== undefined ? { cost_cny: costCny } : {}),
  };
}

/** A cut-off answer is `incomplete` with the reason; anything else that finished is `completed`. */
export function statusFor(finish: FinishReason | null | undefined, moderated = false): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (moderated || finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  return { status: 'completed', incomplete_details: null };
}

/** The response object around a list of output items. */
export function responseObject(id: string, createdAt: number, echo: ResponseEcho, fields: Pick<ResponseObject, 'status' | 'incomplete_details' | 'output' | 'usage'> & { error?: ResponseObject['error'] }): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: fields.status,
    error: fields.error ?? null,
    incomplete_details: fields.incomplete_details,
    ...echo,
    output: fields.output,
    truncation: 'disabled',
    usage: fields.usage,
  };
}

export function responsesErrorBody(error: GatewayError): { code: string; message: string } {
  return { code: error.code, message: error.message };
}

/** Item ids in OpenAI's style: a prefix and the request id without dashes, plus the item's position. */
export function itemId(prefix: 'msg' | 'rs' | 'fc', requestId: string, index: number): string {
  return `${prefix}_${requestId.replace(/-/g, '')}${index.toString(16).padStart(2, '0')}`;
}
