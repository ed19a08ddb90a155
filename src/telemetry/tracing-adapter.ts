import type { ChatChunk, ChatRequest, ChatResponse } from '../canonical/chat.js';
import type { ProviderAdapter, StreamEvent } from '../providers/adapter.js';
import { currentAttempt, type AttemptScope } from './attempt-scope.js';

function noteRequest(scope: AttemptScope, body: ChatRequest): void {
  scope.requestParams = {
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stream: body.stream === true,
  };
}

function noteResponse(scope: AttemptScope, response: Pick<ChatResponse, 'id' | 'model'> | ChatChunk): void {
  if (typeof response.id === 'string' && response.id !== '') scope.responseId ??= response.id;
  if (typeof response.model === 'string' && response.model !== '') scope.responseModel ??= response.model;
  for (const choice of (response as { choices?: Array<{ finish_reason?: string | null }> }).choices ?? []) {
    if (choice.finish_reason) scope.finishReasons.add(choice.finish_reason);
  }
}

/** The adapter as given, reporting to the attempt in progress (none: it behaves exactly as the original). */
export function tracingAdapter(adapter: ProviderAdapter): ProviderAdapter {
  return {
    async chat(call) {
      const scope = currentAttempt();
      if (scope) noteRequest(scope, call.body);
      const result = await adapter.chat(call);
      if (scope) {
        noteResponse(scope, result.response);
        scope.usage = result.usage;
        scope.complete();
      }
      return result;
    },
    chatStream(call) {
      const scope = currentAttempt();
      if (!scope) return adapter.chatStream(call);
      noteRequest(scope, call.body);
      const inner = adapter.chatStream(call);
      return (async function* (): AsyncGenerator<StreamEvent> {
        let failure: unknown;
        try {
          for await (const event of inner) {
            if (event.type === 'chunk') noteResponse(scope, event.chunk);
            else if (event.type === 'usage') scope.usage = event.usage;
            yield event;
          }
        } catch (error) {
          failure = error;
          throw error;
        } finally {
          scope.complete(failure); // also when the consumer stops early
        }
      })();
    },
    async embeddings(call) {
      const scope = currentAttempt();
      const result = await adapter.embeddings(call);
      if (scope) {
        if (typeof result.response.model === 'string') scope.responseModel ??= result.response.model;
        scope.usage = result.usage;
        scope.complete();
      }
      return result;
    },
  };
}
