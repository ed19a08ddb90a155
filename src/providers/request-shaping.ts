import type { ChatMessage, ChatRequest } from '../canonical/chat.js';
import { contentText } from '../canonical/content-text.js';
import type { PresetDefinition } from './preset.js';

/**
 * The body sent to one provider: the upstream model name, usage always requested on streams
 * (billing needs it; the client only sees the usage chunk if it asked), and the provider's parameter
 * rules applied. Every adjustment is reported in `warnings`, never made silently.
 */
export function shapeChatRequest(
  request: ChatRequest,
  preset: PresetDefinition,
  upstreamModel: string,
): { body: ChatRequest; warnings: string[] } {
  const warnings: string[] = [];
  const body: ChatRequest = { ...request, model: upstreamModel };
  if (body.stream && preset.streamUsageOption) body.stream_options = { ...body.stream_options, include_usage: true };
  else delete body.stream_options;

  const range = preset.temperatureRange;
  if (range && typeof body.temperature === 'number') {
    const tooLow = range.exclusiveMin ? body.temperature <= range.min : body.temperature < range.min;
    if (tooLow) {
      const adjusted = range.exclusiveMin ? 0.01 : range.min;
      warnings.push(`temperature ${body.temperature} is outside ${preset.displayName}'s range; sent ${adjusted}`);
      body.temperature = adjusted;
    } else if (body.temperature > range.max) {
      warnings.push(`temperature ${body.temperature} is above ${preset.displayName}'s maximum; sent ${range.max}`);
      body.temperature = range.max;
    }
  }

  if (!preset.acceptsReasoningContent && request.messages.some((message) => message.reasoning_content !== undefined)) {
    body.messages = request.messages.map(({ reasoning_content: _dropped, ...rest }) => rest as ChatMessage);
  }
  if (!preset.developerRole && body.messages.some((message) => message.role === 'developer')) {
    body.messages = body.messages.map((message) => (message.role === 'developer' ? { ...message, role: 'system' } : message));
    warnings.push(`${preset.displayName} has no "developer" role; sent those turns as "system"`);
  }
  shapeStructuredOutput(body, preset, warnings);
  return { body, warnings };
}

/**
 * A JSON schema the provider cannot take as response_format goes as json_object, with the schema in a system
 * turn (the provider then returns JSON but does not enforce the schema: said in the warning); json_object gets
 * the word "json" in a system turn where the provider requires it and the prompt has none.
 */
function shapeStructuredOutput(body: ChatRequest, preset: PresetDefinition, warnings: string[]): void {
  const support = preset.structuredOutput;
  const format = body.response_format;
  if (!support || !format) return;
  const notes: string[] = [];
  if (format.type === 'json_schema' && !support.formats.includes('json_schema') && support.formats.includes('json_object')) {
    const spec = (format.json_schema ?? {}) as { name?: unknown; description?: unknown; schema?: unknown };
    const about = typeof spec.description === 'string' && spec.description !== '' ? ` (${spec.description})` : '';
    notes.push(`Reply with one JSON object only, no other text. It must conform to this JSON Schema${typeof spec.name === 'string' ? ` named "${spec.name}"` : ''}${about}:\n${JSON.stringify(spec.schema ?? {})}`);
    body.response_format = { type: 'json_object' };
    warnings.push(`${preset.displayName} does not take response_format json_schema; sent json_object with the schema in a system message (the provider returns JSON but does not enforce the schema)`);
  } else if (format.type === 'json_object' && support.jsonWordRequired && !body.messages.some((message) => /json/i.test(contentText(message.content, ' ')))) {
    notes.push('Reply in JSON.');
    warnings.push(`${preset.displayName} needs the word "json" in the prompt for json_object output; added a system message saying "Reply in JSON."`);
  }
  if (notes.length === 0) return;
  // After the caller's own system turns, so a provider cache keyed on the leading system prompt still hits.
  const lead = body.messages.findIndex((message) => message.role !== 'system' && message.role !== 'developer');
  const at = lead === -1 ? body.messages.length : lead;
  body.messages = [...body.messages.slice(0, at), { role: 'system', content: notes.join('\n') }, ...body.messages.slice(at)];
}
