/**
 * Outbound to Anthropic as a provider: canonical ChatRequest → Messages API body, and a Messages
 * API response → canonical ChatResponse plus normalised usage. Pure functions.
 */
import type { ChatMessage, ChatRequest, ChatResponse, ContentPart, ToolCall } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { GatewayError } from '../errors/catalogue.js';
import {
  isRecord, parseToolInput, STRUCTURED_OUTPUT_TOOL, TOOL_ERROR_PREFIX,
  type AnthropicImageBlock, type AnthropicMessageParam, type AnthropicMessagesRequest, type AnthropicRequestBlock,
  type AnthropicTextBlock, type AnthropicTool, type AnthropicToolChoice,
} from './anthropic-types.js';
import { normaliseAnthropicUsage, stopReasonToFinishReason } from './anthropic-outbound-stream.js';

export const DEFAULT_MAX_TOKENS = 4096;

const HANDLED_FIELDS = new Set([
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format',
  'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'stop', 'n', 'user',
]);

function unsupported(message: string, param: string): never {
  throw new GatewayError('unsupported_capability', message, { param });
}

function imageBlock(url: string, param: string): AnthropicImageBlock {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1]!, data: data[2]! } };
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  return unsupported('Anthropic accepts images as base64 data URLs or http(s) URLs only.', param);
}

function contentBlocks(content: ChatMessage['content'], param: string): Array<AnthropicTextBlock | AnthropicImageBlock> {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  content.forEach((part: ContentPart, index) => {
    const partParam = `${param}[${index}]`;
    if (part.type === 'text' && typeof part.text === 'string') {
      if (part.text !== '') blocks.push({ type: 'text', text: part.text });
    } else if (part.type === 'image_url' && isRecord(part.image_url) && typeof part.image_url.url === 'string') {
      blocks.push(imageBlock(part.image_url.url, partParam));
    } else unsupported(`Content part type ${JSON.stringify(part.type)} is not supported by Anthropic.`, `${partParam}.type`);
  });
  return blocks;
}

function textOnly(content: ChatMessage['content'], param: string): string {
  return contentBlocks(content, param).map((block) => {
    if (block.type !== 'text') unsupported('Only text is supported here.', param);
    return block.text;
  }).join('\n');
}

function toolResult(message: ChatMessage, param: string): AnthropicRequestBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw new GatewayError('invalid_request', 'A tool message needs "tool_call_id".', { param: `${param}.tool_call_id` });
  }
  let text = textOnly(message.content, `${param}.content`);
  const isError = text.startsWith(TOOL_ERROR_PREFIX);
  if (isError) text = text.slice(TOOL_ERROR_PREFIX.length);
  return { type: 'tool_result', tool_use_id: message.tool_call_id, content: text, ...(isError ? { is_error: true } : {}) };
}

function assistantBlocks(message: ChatMessage, param: string, warnings: string[]): AnthropicRequestBlock[] {
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    warnings.push(`${param}.reasoning_content was left out: Anthropic only accepts thinking blocks it signed itself.`);
  }
  const blocks: AnthropicRequestBlock[] = contentBlocks(message.content, `${param}.content`);
  (message.tool_calls ?? []).forEach((call: ToolCall, index) => {
    const parsed = parseToolInput(call.function?.arguments);
    if (!parsed.valid) warnings.push(`${param}.tool_calls[${index}].function.arguments is not a JSON object; sent as {"_raw": …}.`);
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parsed.input });
  });
  return blocks;
}

/** Append blocks to the conversation, merging into the previous message when it has the same role. */
function append(messages: AnthropicMessageParam[], role: 'user' | 'assistant', blocks: AnthropicRequestBlock[]): void {
  const last = messages.at(-1);
  if (last && last.role === role) (last.content as AnthropicRequestBlock[]).push(...blocks);
  else messages.push({ role, content: [...blocks] });
}

/** Anthropic wants tool_result blocks first in a user turn; keep the rest in order after them. */
function finalise(message: AnthropicMessageParam): AnthropicMessageParam {
  const blocks = message.content as AnthropicRequestBlock[];
  const ordered = message.role === 'user'
    ? [...blocks.filter((b) => b.type === 'tool_result'), ...blocks.filter((b) => b.type !== 'tool_result')]
    : blocks;
  const only = ordered[0];
  if (ordered.length === 1 && only?.type === 'text') return { role: message.role, content: only.text };
  return { role: message.role, content: ordered };
}

function toolChoice(value: unknown, parallel: unknown): AnthropicToolChoice | undefined {
  let choice: AnthropicToolChoice | undefined;
  if (value === 'auto') choice = { type: 'auto' };
  else if (value === 'required') choice = { type: 'any' };
  else if (value === 'none') choice = { type: 'none' };
  else if (isRecord(value) && isRecord(value.function) && typeof value.function.name === 'string') {
    choice = { type: 'tool', name: value.function.name };
  } else if (value !== undefined && value !== null) {
    throw new GatewayError('invalid_request', 'tool_choice must be "auto", "required", "none" or a named function.', { param: 'tool_choice' });
  }
  if (parallel === false && choice?.type !== 'none') choice = { ...(choice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return choice;
}

/** Canonical request → Anthropic Messages body. `body.model` is the upstream model name. */
export function chatRequestToMessages(request: ChatRequest, upstreamModel: string): { body: AnthropicMessagesRequest; warnings: string[] } {
  const warnings: string[] = [];
  const system: string[] = [];
  let systemCacheMarker: unknown;
  const messages: AnthropicMessageParam[] = [];
  request.messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system': case 'developer': {
        if (messages.length > 0) warnings.push(`${param}: a ${message.role} message after the conversation start was moved into "system".`);
        const text = textOnly(message.content, `${param}.content`);
        if (text !== '') system.push(text);
        // A cache marker on the system prompt (set by the gateway's provider-cache shaping) is kept.
        if (Array.isArray(message.content)) systemCacheMarker ??= (message.content as Array<{ cache_control?: unknown }>).find((part) => part.cache_control)?.cache_control;
        break;
      }
      case 'user': {
        const blocks = contentBlocks(message.content, `${param}.content`);
        if (blocks.length === 0) warnings.push(`${param}: an empty user message was left out.`);
        else append(messages, 'user', blocks);
        break;
      }
      case 'assistant': {
        const blocks = assistantBlocks(message, param, warnings);
        if (blocks.length === 0) warnings.push(`${param}: an empty assistant message was left out.`);
        else append(messages, 'assistant', blocks);
        break;
      }
      case 'tool':
        append(messages, 'user', [toolResult(message, param)]);
        break;
      default:
        unsupported(`Messages with role ${JSON.stringify(message.role)} are not supported by Anthropic.`, `${param}.role`);
    }
  });
  if (messages.length === 0) {
    throw new GatewayError('invalid_request', 'At least one user or assistant message is required.', { param: 'messages' });
  }

  let maxTokens = request.max_tokens ?? request.max_completion_tokens;
  if (maxTokens === undefined || maxTokens === null) {
    maxTokens = DEFAULT_MAX_TOKENS;
    warnings.push(`max_tokens not given; Anthropic requires it, so ${DEFAULT_MAX_TOKENS} was used.`);
  }
  const body: AnthropicMessagesRequest = { model: upstreamModel, max_tokens: maxTokens, messages: messages.map(finalise) };
  if (system.length > 0) {
    body.system = systemCacheMarker ? [{ type: 'text', text: system.join('\n\n'), cache_control: systemCacheMarker }] : system.join('\n\n');
  }
  if (request.stop !== undefined && request.stop !== null) {
    const stops = (Array.isArray(request.stop) ? request.stop : [request.stop]).filter((s) => s !== '');
    if (stops.length > 0) body.stop_sequences = stops;
  }
  if (typeof request.temperature === 'number') {
    body.temperature = Math.min(request.temperature, 1);
    if (request.temperature > 1) warnings.push(`temperature ${request.temperature} is above Anthropic's maximum of 1; 1 was used.`);
  }
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool, index) => {
      if (tool.type !== 'function' || !isRecord(tool.function)) unsupported('Only function tools are supported by Anthropic.', `tools[${index}]`);
      return {
        name: tool.function.name,
        ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
        input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
      };
    });
    const choice = toolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  } else if (request.tool_choice !== undefined && request.tool_choice !== null && request.tool_choice !== 'none' && request.tool_choice !== 'auto') {
    warnings.push('tool_choice was ignored because the request has no tools.');
  }
  const format = request.response_format;
  if (format && format.type !== 'text') {
    if (body.tools) warnings.push(`response_format ${JSON.stringify(format.type)} was ignored: Anthropic can force a JSON answer only when the request declares no tools of its own.`);
    else {
      body.tools = [structuredOutputTool(format)];
      body.tool_choice = { type: 'tool', name: STRUCTURED_OUTPUT_TOOL };
    }
  }
  if (typeof request.n === 'number' && request.n > 1) warnings.push(`n=${request.n} is not supported by Anthropic; one answer will be generated.`);
  if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };
  if (request.stream === true) body.stream = true;
  for (const key of Object.keys(request)) {
    if (!HANDLED_FIELDS.has(key) && request[key] !== undefined && request[key] !== null) {
      warnings.push(`"${key}" is not supported by Anthropic and was ignored.`);
    }
  }
  return { body, warnings };
}

/**
 * Structured output on Anthropic (json_object, json_schema): the Messages API has no response_format, so the
 * answer is forced through one tool whose input schema is the requested schema, and the tool's input comes
 * back as the message content (a JSON string), as a client of OpenAI's API expects. The reserved name lets the
 * way back (here, the stream decoder, provider batches) recognise it without carrying state.
 */
function structuredOutputTool(format: NonNullable<ChatRequest['response_format']>): AnthropicTool {
  const spec = (isRecord(format.json_schema) ? format.json_schema : {}) as { name?: unknown; description?: unknown; schema?: unknown };
  const named = typeof spec.name === 'string' && spec.name !== '' ? ` "${spec.name}"` : '';
  const about = typeof spec.description === 'string' && spec.description !== '' ? ` ${spec.description}` : '';
  const schema = format.type === 'json_schema' && isRecord(spec.schema) ? spec.schema : { type: 'object' };
  return { name: STRUCTURED_OUTPUT_TOOL, description: `Give the final answer as the JSON object${named}.${about}`, input_schema: schema };
}

function upstreamGarbage(detail: string): never {
  throw new GatewayError('upstream_unavailable', `Anthropic returned an unusable message: ${detail}.`);
}

/** Anthropic Message → canonical ChatResponse (model = the requested name) and normalised usage. */
export function messageToChatResponse(
  message: unknown, requestedModel: string, now: number = Date.now(),
): { response: ChatResponse; usage: NormalizedUsage } {
  if (!isRecord(message)) upstreamGarbage('not an object');
  if (message.type !== undefined && message.type !== 'message') upstreamGarbage(`type ${JSON.stringify(message.type)}`);
  if (!Array.isArray(message.content)) upstreamGarbage('no content array');
  const usage = normaliseAnthropicUsage(message.usage);
  if (!usage) upstreamGarbage('no usage');
  const texts: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  let structured = false;
  for (const block of message.content) {
    if (!isRecord(block)) upstreamGarbage('a content block is not an object');
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    else if (block.type === 'thinking' && typeof block.thinking === 'string') thinking.push(block.thinking);
    else if (block.type === 'tool_use' && block.name === STRUCTURED_OUTPUT_TOOL) {
      texts.push(JSON.stringify(block.input ?? {}));
      structured = true;
    }
    else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string') upstreamGarbage('a tool_use block without id or name');
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
    // redacted_thinking and server-tool blocks have no canonical form and are not part of the answer text.
  }
  const out: ChatMessage = { role: 'assistant', content: texts.length > 0 || toolCalls.length === 0 ? texts.join('') : null };
  if (thinking.length > 0) out.reasoning_content = thinking.join('');
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  const input = usage.inputUncached + usage.cacheRead + usage.cacheWrite;
  const response: ChatResponse = {
    id: typeof message.id === 'string' ? message.id : 'msg_unknown',
    object: 'chat.completion',
    created: Math.floor(now / 1000),
    model: requestedModel,
    // The forced structured-output tool ends the turn with stop_reason tool_use; for the client it is a plain stop.
    choices: [{ index: 0, message: out, finish_reason: structured && toolCalls.length === 0 && message.stop_reason === 'tool_use' ? 'stop' : stopReasonToFinishReason(message.stop_reason) }],
    usage: {
      prompt_tokens: input,
      completion_tokens: usage.output,
      total_tokens: input + usage.output,
      prompt_tokens_details: { cached_tokens: usage.cacheRead },
      ...(usage.reasoning > 0 ? { completion_tokens_details: { reasoning_tokens: usage.reasoning } } : {}),
    },
  };
  return { response, usage };
}
