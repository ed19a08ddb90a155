import type { ChatRequest } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';
import type { RequestNeeds } from '../routing/policy.js';

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(body: Record<string, unknown>, key: string, rule: { integer?: boolean; min?: number; max?: number } = {}): void {
  const value = body[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(key, `expected a number, got ${JSON.stringify(value)}`);
  if (rule.integer && !Number.isInteger(value)) throw invalid(key, 'expected an integer');
  if (rule.min !== undefined && value < rule.min) throw invalid(key, `must be at least ${rule.min}`);
  if (rule.max !== undefined && value > rule.max) throw invalid(key, `must be at most ${rule.max}`);
}

function checkContent(content: unknown, param: string, role: string): { images: number } {
  if (content === null || content === undefined) {
    if (role === 'assistant') return { images: 0 };
    throw invalid(param, 'is required');
  }
  if (typeof content === 'string') return { images: 0 };
  if (!Array.isArray(content)) throw invalid(param, 'expected a string or an array of content parts');
  let images = 0;
  content.forEach((part, index) => {
    const at = `${param}[${index}]`;
    if (!isObject(part) || typeof part.type !== 'string') throw invalid(at, 'expected a content part with a "type"');
    if (part.type === 'text' && typeof part.text !== 'string') throw invalid(`${at}.text`, 'expected a string');
    if (part.type === 'image_url') {
      const image = part.image_url;
      if (!isObject(image) || typeof image.url !== 'string' || image.url.length === 0) throw invalid(`${at}.image_url.url`, 'expected a URL or data URL string');
      images += 1;
    }
  });
  return { images };
}

/** An assistant turn's tool calls, as a client sends them back: every later stage reads id, name and arguments. */
function checkToolCalls(calls: unknown, param: string): void {
  if (!Array.isArray(calls)) throw invalid(param, 'expected an array');
  calls.forEach((call, index) => {
    const at = `${param}[${index}]`;
    if (!isObject(call)) throw invalid(at, 'expected {"id":…,"type":"function","function":{"name":…,"arguments":…}}');
    if (typeof call.id !== 'string' || call.id.length === 0) throw invalid(`${at}.id`, 'expected a non-empty string');
    if (!isObject(call.function) || typeof call.function.name !== 'string' || call.function.name.length === 0) throw invalid(`${at}.function.name`, 'expected a non-empty string');
    if (typeof call.function.arguments !== 'string') throw invalid(`${at}.function.arguments`, 'expected a JSON string');
  });
}

/** The JSON type of a value, in the words OpenAI's own type errors use. */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function checkType(body: Record<string, unknown>, key: string, type: 'string' | 'boolean'): void {
  const value = body[key];
  if (value !== undefined && value !== null && typeof value !== type) throw invalid(key, `expected a ${type}, but got ${typeName(value)} instead`);
}

/** OpenAI's limit; /v1/messages passes its own, as Anthropic's stop_sequences are not capped at 4. */
const defaultMaxStop = 4;

function checkStop(stop: unknown, maxStop: number): void {
  if (stop === undefined || stop === null || typeof stop === 'string') return;
  if (!Array.isArray(stop) || !stop.every((item) => typeof item === 'string')) {
    throw invalid('stop', `expected a string or an array of strings, but got ${typeName(stop)} instead`);
  }
  if (stop.length > maxStop) throw invalid('stop', `array too long: at most ${maxStop} stop sequences, but got ${stop.length}`);
}

function toolNames(tools: unknown): Set<string> {
  if (!Array.isArray(tools)) return new Set();
  return new Set(tools.map((tool) => (tool as { function: { name: string } }).function.name));
}

/** A tool_choice must be one OpenAI knows and name a declared tool: forwarded as is, an upstream would fail it later and less clearly. */
function checkToolChoice(choice: unknown, declared: ReadonlySet<string>): void {
  if (choice === undefined || choice === null || choice === 'none' || choice === 'auto') return;
  if (choice === 'required') {
    if (declared.size === 0) throw invalid('tool_choice', '"required" needs at least one tool in "tools"');
    return;
  }
  if (typeof choice === 'string') throw invalid('tool_choice', `invalid value ${JSON.stringify(choice)}; supported values are "none", "auto", "required" or {"type":"function","function":{"name":…}}`);
  if (!isObject(choice)) throw invalid('tool_choice', `expected a string or an object, but got ${typeName(choice)} instead`);
  if (choice.type === 'allowed_tools') {
    // OpenAI's newer form: a subset of the declared tools, in mode auto or required.
    const allowed = choice.allowed_tools;
    if (!isObject(allowed) || (allowed.mode !== 'auto' && allowed.mode !== 'required') || !Array.isArray(allowed.tools)) {
      throw invalid('tool_choice.allowed_tools', 'expected {"mode":"auto"|"required","tools":[…]}');
    }
    return;
  }
  if (choice.type !== 'function') throw invalid('tool_choice.type', `invalid value ${JSON.stringify(choice.type)}; expected "function"`);
  const fn = choice.function;
  if (!isObject(fn) || typeof fn.name !== 'string' || fn.name.length === 0) throw invalid('tool_choice.function.name', 'expected a non-empty string');
  if (!declared.has(fn.name)) throw invalid('tool_choice', `the function ${JSON.stringify(fn.name)} is not among the declared "tools"`);
}

const responseFormatTypes = ['text', 'json_object', 'json_schema'];

function checkResponseFormat(format: unknown): void {
  if (format === undefined || format === null) return;
  if (!isObject(format) || typeof format.type !== 'string') throw invalid('response_format', 'expected an object with a "type"');
  if (!responseFormatTypes.includes(format.type)) {
    throw invalid('response_format.type', `invalid value ${JSON.stringify(format.type)}; supported values are ${responseFormatTypes.map((type) => `"${type}"`).join(', ')}`);
  }
  if (format.type !== 'json_schema') return;
  if (!isObject(format.json_schema)) throw invalid('response_format.json_schema', 'is required when the type is "json_schema"');
  const { name } = format.json_schema;
  if (typeof name !== 'string' || name.length === 0) throw invalid('response_format.json_schema.name', 'expected a non-empty string');
}

function checkStreaming(body: Record<string, unknown>): void {
  checkType(body, 'stream', 'boolean');
  const options = body.stream_options;
  if (options === undefined || options === null) return;
  if (!isObject(options)) throw invalid('stream_options', `expected an object, but got ${typeName(options)} instead`);
  if (body.stream !== true) {
    throw new GatewayError('invalid_request', "The 'stream_options' parameter is only allowed when 'stream' is enabled.", { param: 'stream_options' });
  }
}

export interface ChatValidationOptions {
  /** The most stop sequences accepted (OpenAI's 4 unless given). */
  readonly maxStop?: number;
}

/** Validate a Chat Completions body at the boundary; returns the request and what it needs from a model. */
export function validateChatRequest(body: unknown, options: ChatValidationOptions = {}): { request: ChatRequest; needs: RequestNeeds } {
  if (!isObject(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  if (typeof body.model !== 'string' || body.model.length === 0) throw invalid('model', 'expected a non-empty string');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid('messages', 'expected a non-empty array');
  let images = 0;
  body.messages.forEach((message, index) => {
    const at = `messages[${index}]`;
    if (!isObject(message)) throw invalid(at, 'expected an object');
    if (typeof message.role !== 'string' || !roles.has(message.role)) {
      throw invalid(`${at}.role`, `expected one of ${[...roles].join(', ')}`);
    }
    const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    images += checkContent(message.content, `${at}.content`, hasToolCalls ? 'assistant' : message.role === 'assistant' ? 'assistant' : message.role).images;
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') throw invalid(`${at}.tool_call_id`, 'expected a string');
    if (message.tool_calls !== undefined && message.tool_calls !== null) checkToolCalls(message.tool_calls, `${at}.tool_calls`);
  });
  checkStreaming(body);
  checkNumber(body, 'temperature', { min: 0, max: 2 });
  checkNumber(body, 'top_p', { min: 0, max: 1 });
  checkNumber(body, 'max_tokens', { integer: true, min: 1 });
  checkNumber(body, 'max_completion_tokens', { integer: true, min: 1 });
  checkNumber(body, 'n', { integer: true, min: 1, max: 128 });
  checkNumber(body, 'seed', { integer: true });
  checkNumber(body, 'presence_penalty', { min: -2, max: 2 });
  checkNumber(body, 'frequency_penalty', { min: -2, max: 2 });
  if (body.tools !== undefined && body.tools !== null) {
    if (!Array.isArray(body.tools)) throw invalid('tools', 'expected an array');
    body.tools.forEach((tool, index) => {
      if (!isObject(tool) || !isObject(tool.function) || typeof tool.function.name !== 'string') {
        throw invalid(`tools[${index}]`, 'expected {"type":"function","function":{"name":…}}');
      }
    });
  }
  checkToolChoice(body.tool_choice, toolNames(body.tools));
  checkType(body, 'parallel_tool_calls', 'boolean');
  checkStop(body.stop, options.maxStop ?? defaultMaxStop);
  checkType(body, 'user', 'string');
  checkResponseFormat(body.response_format);
  const tools = Array.isArray(body.tools) && body.tools.length > 0;
  return { request: body as unknown as ChatRequest, needs: { kind: 'chat', vision: images > 0, tools } };
}
