import type { ChatRequest } from '../canonical/chat.js';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { CaptureConfig } from './config-schema.js';

/**
 * What a captured call leaves on its RequestContext: the (privacy-masked) request and the answer as the
 * provider wrote it, before placeholders were restored. Turning it into a stored row (masking again,
 * hashing) happens in the capture writer, off the request path.
 */
export interface CaptureDraft {
  readonly retentionMs: number;
  readonly request: ChatRequest;
  output: string;
  readonly toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string | null;
  /** The answer reached the client whole (not cut mid-stream). */
  complete: boolean;
}

/** Content retention for this call when a route/model name, scenario or key opted in (the shortest wins); undefined: not captured. */
export function captureRetention(capture: CaptureConfig, call: { model: string; scenario: string | undefined; apiKeyId: string | undefined }): number | undefined {
  const matches: number[] = [];
  if (capture.all) matches.push(capture.retentionMs);
  const route = capture.routes[call.model];
  if (route !== undefined) matches.push(route);
  const scenario = call.scenario === undefined ? undefined : capture.scenarios[call.scenario];
  if (scenario !== undefined) matches.push(scenario);
  const key = call.apiKeyId === undefined ? undefined : capture.keys[call.apiKeyId];
  if (key !== undefined) matches.push(key);
  return matches.length === 0 ? undefined : Math.min(...matches);
}

/** Wraps a sink so the answer passing through it (whole or streamed, only the first choice) is kept in the draft. */
export function capturingSink(sink: ChatSink, draft: CaptureDraft): ChatSink {
  return {
    json(response, usage, cost) {
      const choice = response.choices[0];
      if (choice) {
        const { content } = choice.message;
        draft.output = typeof content === 'string' ? content : '';
        for (const call of choice.message.tool_calls ?? []) draft.toolCalls.push({ id: call.id, name: call.function.name, arguments: call.function.arguments });
        draft.finishReason = choice.finish_reason;
      }
      draft.complete = true;
      sink.json(response, usage, cost);
    },
    open: () => sink.open(),
    event(event) {
      if (event.type === 'chunk') {
        for (const choice of event.chunk.choices) {
          if (choice.index !== 0) continue;
          if (typeof choice.delta.content === 'string') draft.output += choice.delta.content;
          for (const call of choice.delta.tool_calls ?? []) {
            const entry = (draft.toolCalls[call.index] ??= { id: '', name: '', arguments: '' });
            if (call.id) entry.id = call.id;
            if (call.function?.name) entry.name += call.function.name;
            if (call.function?.arguments) entry.arguments += call.function.arguments;
          }
          if (choice.finish_reason) draft.finishReason = choice.finish_reason;
        }
      }
      sink.event(event);
    },
    close(usage, cost) {
      draft.complete = true;
      sink.close(usage, cost);
    },
    failMidStream(error, usage, cost) {
      draft.complete = false;
      sink.failMidStream(error, usage, cost);
    },
  };
}
