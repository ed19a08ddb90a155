/**
 * Inbound Anthropic Messages API: a client calls `POST /v1/messages`; its body is translated into
 * the canonical (OpenAI Chat Completions) request, and the canonical answer back into a Message.
 * Pure functions. Anything that cannot be represented is either rejected (invalid_request, with
 * `param`) or reported in `warnings`; nothing is dropped silently.
 */
import type { ChatMessage, ChatRequest, ChatResponse, ContentPart, ToolCall, ToolDefinition } from '../canonical/chat.js';
import type { NormalizedUsage } from '../canonical/usage.js';
import { contentText } from '../canonical/content-text.js';
import { GatewayError } from '../errors/catalogue.js';
import {
  anthropicUsage, finishReasonToStopReason, isRecord, parseToolInput, TOOL_ERROR_PREFIX,
  type AnthropicContentBlock, type AnthropicMessage,
} from './anthropic-types.js';

function fail(message: string, param: string): never {
  throw new GatewayError('invalid_request', message, { param });
}

const HANDLED_FIELDS = new Set([
  'model', 'max_tokens', 'messages', 'system', 'stop_sequences', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'stream', 'metadata', 'thinking',
]);

class Context {
  readonly warnings: string[] = [];
  private cacheControlWarned = false;
  warn(message: string): void { this.warnings.push(message); }
  noteCacheControl(block: Record<string, unknown>, param: string): void {
    if (block.cache_control === undefined || block.cache_control === null || this.cacheControlWarned) return;
    this.cacheControlWarned = true;
    this.warn(`cache_control (first at ${param}) is not representable and was ignored; the serving provider caches on its own terms.`);
  }
}

function optionalNumber(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${key}" must be a number.`, key);
  return value;
}

function textOf(block: Record<string, unknown>, param: string): string {
  if (typeof block.text !== 'string') fail(`A text block needs a string "text".`, `${param}.text`);
  return block.text;
}

function imagePart(block: Record<string, unknown>, param: string): ContentPart {
  const source = block.source;
  if (!isRecord(source)) fail('An image block needs a "source" object.', `${param}.source`);
  if (source.type === 'base64') {
    if (typeof source.media_type !== 'string' || typeof source.data !== 'string') {
      fail('A base64 image source needs string "media_type" and "data".', `${param}.source`);
    }
    return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source.type === 'url') {
    if (typeof source.url !== 'string') fail('A url image source needs a string "url".', `${param}.source.url`);
    return { type: 'image_url', image_url: { url: source.url } };
  }
  return fail(`Image source type ${JSON.stringify(source.type)} is not supported; use "base64" or "url".`, `${param}.source.type`);
}

function blocksOf(content: unknown, param: string): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) fail('"content" must be a string or an array of content blocks.', param);
  return content.map((block, index) => {
    if (!isRecord(block) || typeof block.type !== 'string') fail('Each content block must be an object with a "type".', `${param}[${index}]`);
    return block;
  });
}

/** Text-only parts collapse to one string (joined by newlines); anything else stays an array. */
function collapse(parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part as { text: string }).text).join('\n');
  return parts;
}

function toolResultMessage(block: Record<string, unknown>, param: string, ctx: Context, images: ContentPart[]): ChatMessage {
  if (typeof block.tool_use_id !== 'string' || block.tool_use_id === '') fail('A tool_result block needs a "tool_use_id".', `${param}.tool_use_id`);
  const texts: string[] = [];
  if (block.content !== undefined && block.content !== null) {
    blocksOf(block.content, `${param}.content`).forEach((inner, index) => {
      const innerParam = `${param}.content[${index}]`;
      ctx.noteCacheControl(inner, innerParam);
      if (inner.type === 'text') texts.push(textOf(inner, innerParam));
      else if (inner.type === 'image') {
        images.push(imagePart(inner, innerParam));
        ctx.warn(`${innerParam}: an image inside tool_result was moved into the user message that follows the tool result.`);
      } else fail(`Block type ${JSON.stringify(inner.type)} is not supported inside tool_result.`, `${innerParam}.type`);
    });
  }
  const text = texts.join('\n');
  return { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error === true ? TOOL_ERROR_PREFIX + text : text };
}

function userMessages(content: unknown, param: string, ctx: Context): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const toolMessages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  const movedImages: ContentPart[] = [];
  blocksOf(content, param).forEach((block, index) => {
    const blockParam = `${param}[${index}]`;
    ctx.noteCacheControl(block, blockParam);
    if (block.type === 'text') parts.push({ type: 'text', text: textOf(block, blockParam) });
    else if (block.type === 'image') parts.push(imagePart(block, blockParam));
    else if (block.type === 'tool_result') toolMessages.push(toolResultMessage(block, blockParam, ctx, movedImages));
    else fail(`Content block type ${JSON.stringify(block.type)} is not supported in user messages.`, `${blockParam}.type`);
  });
  const rest = [...parts, ...movedImages];
  // Tool results answer the previous assistant turn, so they come before the rest of this turn.
  return rest.length > 0 || toolMessages.length === 0 ? [...toolMessages, { role: 'user', content: collapse(rest) }] : toolMessages;
}

function assistantMessage(content: unknown, param: string, ctx: Context): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const texts: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ToolCall[] = [];
  blocksOf(content, param).forEach((block, index) => {
    const blockParam = `${param}[${index}]`;
    ctx.noteCacheControl(block, blockParam);
    if (block.type === 'text') texts.push(textOf(block, blockParam));
    else if (block.type === 'thinking') {
      if (typeof block.thinking !== 'string') fail('A thinking block needs a string "thinking".', `${blockParam}.thinking`);
      thinking.push(block.thinking);
    } else if (block.type === 'redacted_thinking') {
      ctx.warn(`${blockParam}: redacted_thinking is opaque to other providers and was left out.`);
    } else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || block.id === '') fail('A tool_use block needs an "id".', `${blockParam}.id`);
      if (typeof block.name !== 'string' || block.name === '') fail('A tool_use block needs a "name".', `${blockParam}.name`);
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    } else fail(`Content block type ${JSON.stringify(block.type)} is not supported in assistant messages.`, `${blockParam}.type`);
  });
  const message: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('\n') : toolCalls.length > 0 ? null : '' };
  if (thinking.length > 0) message.reasoning_content = thinking.join('\n');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function systemMessage(system: unknown, ctx: Context): ChatMessage | undefined {
  if (system === undefined || system === null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : { role: 'system', content: system };
  if (!Array.isArray(system)) fail('"system" must be a string or an array of text blocks.', 'system');
  const texts = system.map((block, index) => {
    if (!isRecord(block) || block.type !== 'text') fail('"system" blocks must be text blocks.', `system[${index}]`);
    ctx.noteCacheControl(block, `system[${index}]`);
    return textOf(block, `system[${index}]`);
  });
  return texts.length > 0 ? { role: 'system', content: texts.join('\n') } : undefined;
}

function tools(value: unknown, ctx: Context): ToolDefinition[] {
  if (!Array.isArray(value)) fail('"tools" must be an array.', 'tools');
  return value.map((tool, index) => {
    const param = `tools[${index}]`;
    if (!isRecord(tool)) fail('Each tool must be an object.', param);
    if (tool.type !== undefined && tool.type !== 'custom') fail(`Server tool ${JSON.stringify(tool.type)} is not supported through this gateway.`, `${param}.type`);
    if (typeof tool.name !== 'string' || tool.name === '') fail('Each tool needs a "name".', `${param}.name`);
    if (!isRecord(tool.input_schema)) fail('Each tool needs an "input_schema" object.', `${param}.input_schema`);
    ctx.noteCacheControl(tool, param);
    const fn: ToolDefinition['function'] = { name: tool.name, parameters: tool.input_schema };
    if (typeof tool.description === 'string') fn.description = tool.description;
    return { type: 'function', function: fn };
  });
}

function toolChoice(value: unknown, request: ChatRequest): void {
  if (!isRecord(value)) fail('"tool_choice" must be an object.', 'tool_choice');
  if (value.type === 'auto') request.tool_choice = 'auto';
  else if (value.type === 'any') request.tool_choice = 'required';
  else if (value.type === 'none') request.tool_choice = 'none';
  else if (value.type === 'tool') {
    if (typeof value.name !== 'string' || value.name === '') fail('tool_choice of type "tool" needs a "name".', 'tool_choice.name');
    request.tool_choice = { type: 'function', function: { name: value.name } };
  } else fail('tool_choice.type must be one of "auto", "any", "tool", "none".', 'tool_choice.type');
  if (value.disable_parallel_tool_use === true) request.parallel_tool_calls = false;
}

/** Translate and validate an Anthropic Messages request body into a canonical ChatRequest. */
export function messagesRequestToChat(body: unknown): { request: ChatRequest; warnings: string[] } {
  if (!isRecord(body)) fail('The request body must be a JSON object.', 'body');
  const ctx = new Context();
  if (typeof body.model !== 'string' || body.model === '') fail('"model" is required and must be a non-empty string.', 'model');
  const maxTokens = body.max_tokens;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    fail('"max_tokens" is required and must be a positive integer.', 'max_tokens');
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) fail('"messages" is required and must be a non-empty array.', 'messages');

  const messages: ChatMessage[] = [];
  const system = systemMessage(body.system, ctx);
  if (system) messages.push(system);
  body.messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    if (!isRecord(message)) fail('Each message must be an object.', param);
    if (message.role === 'user') messages.push(...userMessages(message.content, `${param}.content`, ctx));
    else if (message.role === 'assistant') messages.push(assistantMessage(message.content, `${param}.content`, ctx));
    else fail('"role" must be "user" or "assistant" (put system text in the top-level "system").', `${param}.role`);
  });

  const request: ChatRequest = { model: body.model, messages, max_tokens: maxTokens };
  const temperature = optionalNumber(body, 'temperature');
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body, 'top_p');
  if (topP !== undefined) request.top_p = topP;
  if (optionalNumber(body, 'top_k') !== undefined) ctx.warn('top_k is not representable and was ignored.');
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string')) {
      fail('"stop_sequences" must be an array of strings.', 'stop_sequences');
    }
    if (body.stop_sequences.length > 0) request.stop = [...body.stop_sequences];
  }
  if (body.tools !== undefined && body.tools !== null) {
    const list = tools(body.tools, ctx);
    if (list.length > 0) request.tools = list;
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) toolChoice(body.tool_choice, request);
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isRecord(body.metadata)) fail('"metadata" must be an object.', 'metadata');
    const userId = body.metadata.user_id;
    if (userId !== undefined && userId !== null && typeof userId !== 'string') fail('"metadata.user_id" must be a string.', 'metadata.user_id');
    if (typeof userId === 'string') request.user = userId;
  }
  if (body.thinking !== undefined && body.thinking !== null) {
    ctx.warn('thinking configuration is not representable and was ignored; reasoning models think on their own settings.');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') fail('"stream" must be a boolean.', 'stream');
  if (body.stream === true) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  for (const key of Object.keys(body)) {
    if (!HANDLED_FIELDS.has(key)) ctx.warn(`"${key}" is not supported by this gateway and was ignored.`);
  }
  return { request, warnings: ctx.warnings };
}

/**
 * Canonical response → Anthropic Message. Blocks come as thinking, text, tool_use. Tool arguments
 * that are not a JSON object are kept as `{ "_raw": "<arguments>" }` (see parseToolInput).
 * `stop` always maps to `end_turn`: OpenAI-style providers do not say which stop sequence matched.
 */
export function chatResponseToMessage(response: ChatResponse, usage: NormalizedUsage, requestedModel: string): AnthropicMessage {
  const choice = response.choices[0];
  const message = choice?.message;
  const content: AnthropicContentBlock[] = [];
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  const text = contentText(message?.content);
  if (text !== '') content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolInput(call.function.arguments).input });
  }
  return {
    id: response.id.startsWith('msg_') ? response.id : `msg_${response.id}`,
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: finishReasonToStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
}
