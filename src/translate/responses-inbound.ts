/**
 * Inbound OpenAI Responses API: a client calls `POST /v1/responses` (the OpenAI SDKs' `responses.create`, the
 * AI SDK's default OpenAI model, Codex-style agents); its body is translated into the canonical (Chat
 * Completions) request and the canonical answer back into a response object. The conversation comes in
 * `input`, where items of recent answers may be given by reference (resolved by the caller's ItemResolver), after
 * the conversation of `previous_response_id` (looked up by the caller); OpenAI's Conversations API
 * (`conversation`) is refused with a clear error. Pure functions: what cannot be represented is rejected
 * (invalid_request with `param`) or reported in `warnings`.
 */
import type { ChatMessage, ChatRequest, ChatResponse, ContentPart, ToolCall, ToolDefinition } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { contentText } from '../canonical/content-text.js';
import { GatewayError } from '../errors/catalogue.js';
import { isRecord } from './anthropic-types.js';
import { itemId, responseObject, responsesUsage, statusFor, type OutputItem, type ResponseEcho, type ResponseObject } from './responses-types.js';

function fail(message: string, param: string): never {
  throw new GatewayError('invalid_request', message, { param });
}

const STATELESS = 'Send the conversation in "input", or continue a recent response with "previous_response_id".';

/** Fields read here (stream_options, service_tier, prompt_cache_key and include change nothing); anything else is reported as ignored. */
const HANDLED_FIELDS = new Set([
  'model', 'input', 'instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'text', 'max_output_tokens',
  'temperature', 'top_p', 'user', 'safety_identifier', 'metadata', 'store', 'stream', 'stream_options', 'reasoning',
  'include', 'truncation', 'service_tier', 'prompt_cache_key', 'previous_response_id', 'conversation', 'background',
]);

export interface ResponsesTranslation {
  request: ChatRequest;
  echo: ResponseEcho;
  warnings: string[];
  /** The conversation so far (the previous response's, then this input), without `instructions`: kept with the answer. */
  conversation: ChatMessage[];
  /** Whether the answer may be kept (`store`, true unless the client sent false). */
  store: boolean;
}

function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${key}" must be a number.`, key);
  return value;
}

function text(value: unknown, param: string): string {
  if (typeof value !== 'string') fail('Expected a string "text".', param);
  return value;
}

function imagePart(part: Record<string, unknown>, param: string): ContentPart {
  if (typeof part.image_url !== 'string' || part.image_url === '') {
    if (part.file_id !== undefined) fail('Images by file_id are not supported; send "image_url" (https or data URL).', `${param}.file_id`);
    fail('An input_image part needs an "image_url" (https or data URL).', `${param}.image_url`);
  }
  const detail = part.detail;
  if (detail !== undefined && detail !== 'auto' && detail !== 'low' && detail !== 'high') fail('"detail" must be "auto", "low" or "high".', `${param}.detail`);
  return { type: 'image_url', image_url: { url: part.image_url, ...(detail ? { detail } : {}) } };
}

/** Content of a message item: a string, or parts (input_text / output_text / refusal / input_image). */
function contentParts(content: unknown, param: string, allowImages: boolean): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) fail('"content" must be a string or an array of content parts.', param);
  return content.map((part, index) => {
    const partParam = `${param}[${index}]`;
    if (!isRecord(part) || typeof part.type !== 'string') fail('Each content part must be an object with a "type".', partParam);
    if (part.type === 'input_text' || part.type === 'output_text') return { type: 'text', text: text(part.text, `${partParam}.text`) };
    if (part.type === 'refusal') return { type: 'text', text: text(part.refusal, `${partParam}.refusal`) };
    if (part.type === 'input_image') {
      if (!allowImages) fail('Images are only accepted in user messages.', `${partParam}.type`);
      return imagePart(part, partParam);
    }
    if (part.type === 'input_file') fail('input_file parts are not supported through this gateway; send the text, or images as input_image.', `${partParam}.type`);
    return fail(`Content part type ${JSON.stringify(part.type)} is not supported.`, `${partParam}.type`);
  });
}

/** Text-only parts collapse to one string; anything else stays an array. */
function collapse(parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as { text: string }).text).join('');
  return parts;
}

function joinedText(parts: ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? (part as { text: string }).text : '')).join('');
}

/** Tool output: a string, or parts of which text is kept (images in tool output are not representable). */
function toolOutput(output: unknown, param: string, warnings: string[]): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) fail('"output" must be a string or an array of content parts.', param);
  const parts = contentParts(output, param, true);
  if (parts.some((part) => part.type !== 'text')) warnings.push(`${param}: images in a function_call_output are not representable for chat providers and were left out.`);
  return joinedText(parts);
}

function reasoningText(item: Record<string, unknown>, param: string): string {
  const texts: string[] = [];
  for (const key of ['content', 'summary'] as const) {
    const list = item[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) fail(`"${key}" of a reasoning item must be an array.`, `${param}.${key}`);
    list.forEach((part, index) => {
      if (!isRecord(part)) fail('Each reasoning part must be an object.', `${param}.${key}[${index}]`);
      texts.push(text(part.text, `${param}.${key}[${index}].text`));
    });
    if (texts.length > 0) break; // full reasoning text when given, else its summary
  }
  return texts.join('\n');
}

/**
 * Input items → chat messages. Consecutive assistant output (a message item and the function_call items after
 * it) becomes one assistant message with tool_calls; a reasoning item goes with the assistant turn that follows
 * it (DeepSeek's thinking mode wants it passed back during tool use).
 */
function inputMessages(input: unknown, warnings: string[], resolve: ItemResolver): ChatMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  if (!Array.isArray(input)) fail('"input" must be a string or an array of input items.', 'input');
  if (input.length === 0) fail('"input" must not be empty.', 'input');
  const messages: ChatMessage[] = [];
  let assistant: ChatMessage | undefined; // the assistant turn being built, while items keep adding to it
  let reasoning: string[] = [];
  const openAssistant = (): ChatMessage => {
    if (!assistant) {
      assistant = { role: 'assistant', content: null };
      messages.push(assistant);
    }
    if (reasoning.length > 0) {
      assistant.reasoning_content = [assistant.reasoning_content, ...reasoning].filter(Boolean).join('\n');
      reasoning = [];
    }
    return assistant;
  };
  input.forEach((given, index) => {
    const param = `input[${index}]`;
    if (!isRecord(given)) fail('Each input item must be an object.', param);
    const item = given.type === 'item_reference' ? referenced(given, param, resolve) : given;
    const type = item.type ?? 'message';
    if (type === 'message') {
      const role = item.role;
      if (role === 'assistant') {
        const message = openAssistant();
        const said = joinedText(contentParts(item.content, `${param}.content`, false));
        message.content = typeof message.content === 'string' && message.content !== '' ? message.content + said : said;
        return;
      }
      assistant = undefined;
      if (role === 'user') messages.push({ role: 'user', content: collapse(contentParts(item.content, `${param}.content`, true)) });
      else if (role === 'system' || role === 'developer') {
        // "developer" is OpenAI's newer name for system; most Chinese providers only know "system".
        messages.push({ role: 'system', content: joinedText(contentParts(item.content, `${param}.content`, false)) });
      } else fail('"role" must be "user", "assistant", "system" or "developer".', `${param}.role`);
      return;
    }
    if (type === 'function_call') {
      if (typeof item.call_id !== 'string' || item.call_id === '') fail('A function_call item needs a "call_id".', `${param}.call_id`);
      if (typeof item.name !== 'string' || item.name === '') fail('A function_call item needs a "name".', `${param}.name`);
      if (typeof item.arguments !== 'string') fail('A function_call item needs "arguments" as a JSON string.', `${param}.arguments`);
      const message = openAssistant();
      const call: ToolCall = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
      message.tool_calls = [...(message.tool_calls ?? []), call];
      return;
    }
    if (type === 'function_call_output') {
      if (typeof item.call_id !== 'string' || item.call_id === '') fail('A function_call_output item needs a "call_id".', `${param}.call_id`);
      assistant = undefined;
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: toolOutput(item.output, `${param}.output`, warnings) });
      return;
    }
    if (type === 'reasoning') {
      const said = reasoningText(item, param);
      if (said !== '') reasoning.push(said);
      else if (item.encrypted_content !== undefined) warnings.push(`${param}: encrypted reasoning is opaque to other providers and was left out.`);
      if (assistant && (assistant.tool_calls !== undefined || assistant.content)) assistant = undefined; // reasoning starts the next turn
      return;
    }
    fail(`Input item type ${JSON.stringify(type)} is not supported through this gateway (function tools only).`, `${param}.type`);
  });
  for (const message of messages) if (message.role === 'assistant' && message.content === null && !message.tool_calls) message.content = '';
  if (reasoning.length > 0) warnings.push('a reasoning item at the end of "input" has no assistant turn after it and was left out.');
  return messages;
}

/** Looks up an output item this gateway produced earlier (see responses-items.ts). */
export type ItemResolver = (id: string) => OutputItem | undefined;

function referenced(reference: Record<string, unknown>, param: string, resolve: ItemResolver): Record<string, unknown> {
  if (typeof reference.id !== 'string' || reference.id === '') fail('An item_reference needs an "id".', `${param}.id`);
  const item = resolve(reference.id);
  if (!item) {
    fail(`Item ${reference.id} is not known here: output items are kept for responses.keepMs (an hour by default; in memory, and in Redis in cluster mode). Send the item itself instead of a reference (with the OpenAI SDKs and the AI SDK: store: false).`, `${param}.id`);
  }
  return item as unknown as Record<string, unknown>;
}

function tools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value)) fail('"tools" must be an array.', 'tools');
  return value.map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isRecord(tool)) fail('Each tool must be an object.', param);
    if (tool.type !== 'function') fail(`Tool type ${JSON.stringify(tool.type)} is not supported through this gateway: the providers behind it run function tools only.`, `${param}.type`);
    if (typeof tool.name !== 'string' || tool.name === '') fail('A function tool needs a "name".', `${param}.name`);
    if (tool.parameters !== undefined && tool.parameters !== null && !isRecord(tool.parameters)) fail('"parameters" must be a JSON Schema object.', `${param}.parameters`);
    const fn: ToolDefinition['function'] = { name: tool.name, parameters: isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} } };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict;
    return { type: 'function', function: fn };
  });
}

function toolChoice(value: unknown): unknown {
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (isRecord(value) && value.type === 'function') {
    if (typeof value.name !== 'string' || value.name === '') fail('tool_choice of type "function" needs a "name".', 'tool_choice.name');
    return { type: 'function', function: { name: value.name } };
  }
  return fail('"tool_choice" must be "auto", "none", "required" or {"type": "function", "name": …}.', 'tool_choice');
}

/** text.format → response_format. */
function responseFormat(value: unknown, warnings: string[]): { format: Record<string, unknown>; responseFormat?: ChatRequest['response_format'] } {
  if (!isRecord(value)) fail('"text" must be an object.', 'text');
  if (value.verbosity !== undefined && value.verbosity !== null) warnings.push('text.verbosity is not representable and was ignored.');
  const format = value.format;
  if (format === undefined || format === null) return { format: { type: 'text' } };
  if (!isRecord(format)) fail('"text.format" must be an object.', 'text.format');
  if (format.type === 'text') return { format: { type: 'text' } };
  if (format.type === 'json_object') return { format: { type: 'json_object' }, responseFormat: { type: 'json_object' } };
  if (format.type === 'json_schema') {
    if (typeof format.name !== 'string' || format.name === '') fail('A json_schema format needs a "name".', 'text.format.name');
    if (!isRecord(format.schema)) fail('A json_schema format needs a "schema" object.', 'text.format.schema');
    const schema: Record<string, unknown> = { name: format.name, schema: format.schema };
    if (typeof format.strict === 'boolean') schema.strict = format.strict;
    if (typeof format.description === 'string') schema.description = format.description;
    return { format: { type: 'json_schema', ...schema }, responseFormat: { type: 'json_schema', json_schema: schema } };
  }
  return fail('"text.format.type" must be "text", "json_object" or "json_schema".', 'text.format.type');
}

/** Translate and validate a Responses request body into a canonical ChatRequest and the fields a response echoes. */
export function responsesRequestToChat(body: unknown, resolve: ItemResolver = () => undefined, previous?: readonly ChatMessage[]): ResponsesTranslation {
  if (!isRecord(body)) fail('The request body must be a JSON object.', 'body');
  const warnings: string[] = [];
  if (typeof body.model !== 'string' || body.model === '') fail('"model" is required and must be a non-empty string.', 'model');
  if (body.conversation !== undefined && body.conversation !== null) fail(`"conversation" (OpenAI's Conversations API) is not supported. ${STATELESS}`, 'conversation');
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    if (typeof body.previous_response_id !== 'string' || body.previous_response_id === '') fail('"previous_response_id" must be a response id.', 'previous_response_id');
    if (!previous) fail(`Response ${body.previous_response_id} is not known here: responses are kept for responses.keepMs (an hour by default; in memory, and in Redis in cluster mode), unless sent with store: false. Send the conversation in "input" instead.`, 'previous_response_id');
  }
  if (body.store !== undefined && body.store !== null && typeof body.store !== 'boolean') fail('"store" must be a boolean.', 'store');
  if (body.background === true) fail('Background responses are not supported; use /v1/batches or x-tidegate-priority: deferrable on /v1/chat/completions for deferred work.', 'background');
  if (body.input === undefined || body.input === null) fail('"input" is required.', 'input');

  const conversation = [...(previous ?? []), ...inputMessages(body.input, warnings, resolve)];
  const messages = [...conversation];
  let instructions: string | null = null;
  if (body.instructions !== undefined && body.instructions !== null) {
    if (typeof body.instructions !== 'string') fail('"instructions" must be a string.', 'instructions');
    instructions = body.instructions;
    if (instructions !== '') messages.unshift({ role: 'system', content: instructions });
  }
  const request: ChatRequest = { model: body.model, messages };

  let maxOutput: number | null = null;
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) {
    const value = body.max_output_tokens;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail('"max_output_tokens" must be a positive integer.', 'max_output_tokens');
    request.max_tokens = maxOutput = value;
  }
  const temperature = optionalNumber(body, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p');
  if (topP !== undefined) request.top_p = topP;

  let toolList: unknown[] = [];
  if (body.tools !== undefined && body.tools !== null) {
    const list = tools(body.tools);
    if (list.length > 0) request.tools = list;
    toolList = body.tools as unknown[];
  }
  let choice: unknown = 'auto';
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    request.tool_choice = toolChoice(body.tool_choice);
    choice = body.tool_choice;
  }
  let parallel = true;
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null) {
    if (typeof body.parallel_tool_calls !== 'boolean') fail('"parallel_tool_calls" must be a boolean.', 'parallel_tool_calls');
    parallel = body.parallel_tool_calls;
    if (request.tools) request.parallel_tool_calls = parallel;
  }

  let format: Record<string, unknown> = { type: 'text' };
  if (body.text !== undefined && body.text !== null) {
    const translated = responseFormat(body.text, warnings);
    format = translated.format;
    if (translated.responseFormat) request.response_format = translated.responseFormat;
  }

  let effort: string | null = null;
  if (body.reasoning !== undefined && body.reasoning !== null) {
    if (!isRecord(body.reasoning)) fail('"reasoning" must be an object.', 'reasoning');
    const value = body.reasoning.effort;
    if (value !== undefined && value !== null) {
      if (typeof value !== 'string') fail('"reasoning.effort" must be a string.', 'reasoning.effort');
      effort = request.reasoning_effort = value;
    }
  }

  let user: string | null = null;
  for (const key of ['user', 'safety_identifier'] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') fail(`"${key}" must be a string.`, key);
    request.user = user = value;
  }
  let metadata: Record<string, unknown> = {};
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isRecord(body.metadata)) fail('"metadata" must be an object.', 'metadata');
    metadata = body.metadata;
  }
  if (body.truncation === 'auto') warnings.push('truncation: "auto" is not supported; an input longer than the context window fails instead of being truncated.');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') fail('"stream" must be a boolean.', 'stream');
  if (body.stream === true) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  for (const key of Object.keys(body)) {
    if (!HANDLED_FIELDS.has(key)) warnings.push(`"${key}" is not supported by this gateway and was ignored.`);
  }
  const echo: ResponseEcho = {
    model: body.model,
    instructions,
    max_output_tokens: maxOutput,
    temperature: temperature ?? null,
    top_p: topP ?? null,
    parallel_tool_calls: parallel,
    tool_choice: choice,
    tools: toolList,
    text: { format },
    reasoning: { effort, summary: null },
    metadata,
    user,
    store: body.store !== false,
    previous_response_id: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
  };
  return { request, echo, warnings, conversation, store: body.store !== false };
}

/** An answer's output items as the chat turns they become in the next request's conversation. */
export function outputItemsToMessages(items: readonly OutputItem[]): ChatMessage[] {
  return items.length === 0 ? [] : inputMessages(items, [], () => undefined);
}

/** Canonical answer → output items, in OpenAI's order: reasoning, the message, then function calls. */
export function chatResponseToOutput(response: ChatResponse, requestId: string): OutputItem[] {
  const message = response.choices[0]?.message;
  const output: OutputItem[] = [];
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    output.push({ type: 'reasoning', id: itemId('rs', requestId, output.length), summary: [{ type: 'summary_text', text: message.reasoning_content }] });
  }
  const said = contentText(message?.content);
  if (said !== '' || !message?.tool_calls?.length) {
    output.push({ type: 'message', id: itemId('msg', requestId, output.length), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: said, annotations: [], logprobs: [] }] });
  }
  for (const call of message?.tool_calls ?? []) {
    output.push({ type: 'function_call', id: itemId('fc', requestId, output.length), status: 'completed', call_id: call.id, name: call.function.name, arguments: call.function.arguments });
  }
  return output;
}

/** The whole response object for a non-streamed answer. */
export function chatResponseToResponse(response: ChatResponse, usage: NormalizedUsage, echo: ResponseEcho, ids: { requestId: string; createdAt: number }, costCny?: string): ResponseObject {
  const status = statusFor(response.choices[0]?.finish_reason);
  const output = chatResponseToOutput(response, ids.requestId);
  if (status.status === 'incomplete') for (const item of output) if (item.type !== 'reasoning') item.status = 'incomplete';
  return responseObject(`resp_${ids.requestId.replace(/-/g, '')}`, ids.createdAt, echo, { ...status, output, usage: responsesUsage(usage, costCny) });
}
