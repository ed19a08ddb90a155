import type { ChatChunk, ChatResponse } from '../canonical/chat.js';
import { GatewayError } from '../errors/catalogue.js';

/**
 * The shape checks an OpenAI-dialect answer must pass before the pipeline reads it: a provider (or a proxy in
 * front of it) that sends `choices: [{}]`, a null delta or tool-call arguments as an object is answered with a
 * 502 naming what was wrong, never a gateway TypeError. Harmless variants are repaired in place: a missing
 * delta is empty, a missing message content is null, and tool-call arguments sent as a JSON object are
 * re-serialised to the string OpenAI's clients expect (some OpenAI-compatible servers send objects).
 */
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function malformed(provider: string, what: string): GatewayError {
  return new GatewayError('upstream_unavailable', `${provider}: malformed response: ${what}`);
}

/** Checks tool calls in place; returns whether anything was repaired. */
function checkToolCalls(calls: unknown, where: string, provider: string, whole: boolean): boolean {
  if (calls === undefined || calls === null) return false;
  if (!Array.isArray(calls)) throw malformed(provider, `${where}.tool_calls is not an array`);
  let repaired = false;
  calls.forEach((call: unknown, i) => {
    if (!isObject(call)) throw malformed(provider, `${where}.tool_calls[${i}] is not an object`);
    const fn = call.function;
    if ((fn === undefined || fn === null) && !whole) return; // a stream may send the id first, the function later
    if (!isObject(fn)) throw malformed(provider, `${where}.tool_calls[${i}].function is not an object`);
    if (whole && typeof fn.name !== 'string') throw malformed(provider, `${where}.tool_calls[${i}].function.name is not a string`);
    if (whole && (fn.arguments === undefined || fn.arguments === null)) {
      fn.arguments = '';
      repaired = true;
    }
    if (fn.arguments !== undefined && fn.arguments !== null && typeof fn.arguments !== 'string') {
      fn.arguments = JSON.stringify(fn.arguments);
      repaired = true;
    }
  });
  return repaired;
}

function checkContent(content: unknown, where: string, provider: string): void {
  if (content === undefined || content === null || typeof content === 'string') return;
  if (Array.isArray(content) && content.every(isObject)) return; // content parts
  throw malformed(provider, `${where}.content is neither text, content parts nor null`);
}

/** A non-streamed chat completion: every choice has a message object. */
export function checkChatResponse(body: Record<string, unknown>, provider: string): ChatResponse {
  if (!Array.isArray(body.choices)) throw malformed(provider, 'no choices');
  body.choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) throw malformed(provider, `choices[${i}] is not an object`);
    const message = choice.message;
    if (!isObject(message)) throw malformed(provider, `choices[${i}].message is missing`);
    if (message.content === undefined) message.content = null;
    checkContent(message.content, `choices[${i}].message`, provider);
    checkToolCalls(message.tool_calls, `choices[${i}].message`, provider, true);
  });
  return body as unknown as ChatResponse;
}

/** One streamed chunk; returns whether it was repaired (its raw bytes can then no longer be passed through). */
export function checkChunk(chunk: ChatChunk, provider: string): boolean {
  if (chunk.choices === undefined || chunk.choices === null) return false;
  if (!Array.isArray(chunk.choices)) throw malformed(provider, 'chunk choices is not an array');
  let repaired = false;
  chunk.choices.forEach((choice: unknown, i) => {
    if (!isObject(choice)) throw malformed(provider, `chunk choices[${i}] is not an object`);
    if (choice.delta === undefined || choice.delta === null) {
      choice.delta = {};
      repaired = true;
    } else if (!isObject(choice.delta)) throw malformed(provider, `chunk choices[${i}].delta is not an object`);
    const delta = choice.delta as Record<string, unknown>;
    checkContent(delta.content, `chunk choices[${i}].delta`, provider);
    if (checkToolCalls(delta.tool_calls, `chunk choices[${i}].delta`, provider, false)) repaired = true;
  });
  return repaired;
}
