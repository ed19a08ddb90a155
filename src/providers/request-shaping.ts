import type { ChatMessage, ChatRequest } from '../canonical/chat.js';
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
  return { body, warnings };
}
