/**
 * The AIGC stage, as a sink next to the client: sets the implicit label (metadata) before headers are
 * written, adds the explicit label to answer text, whole or streamed, and audit-logs answers delivered
 * without one. It only adds: upstream text, upstream labels included, passes through byte for byte.
 * It sits outside the cache stage, so replayed answers are labelled exactly like fresh ones.
 */
import type { ChatChunk, ChatResponse, ChunkChoice } from '../canonical/chat.js';
import type { ChatSink } from '../pipeline/chat-pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { StreamEvent } from '../providers/adapter.js';
import type { AuditLog } from './audit-log.js';
import type { AigcConfig } from './config.js';
import { aigcMetadata } from './metadata.js';

export interface AigcStage {
  readonly config: AigcConfig;
  readonly audit: AuditLog | undefined;
}

/** Whether this request's answer gets the explicit label, and if not, why (for the audit row). */
function labelDecision(config: AigcConfig, context: RequestContext): { text: string; position: 'start' | 'end' } | { unlabelled: string } {
  if (!config.label) return { unlabelled: 'explicit label not configured' };
  if (context.aigcLabelOff) {
    if (config.allowUnlabelled) return { unlabelled: 'client asked for no explicit label' };
    context.warnings.push('x-tidegate-aigc-label: off ignored: aigc.allowUnlabelled is not set');
  }
  return config.label;
}

function labelled(text: string, label: { text: string; position: 'start' | 'end' }): string {
  return label.position === 'start' ? label.text + text : text + label.text;
}

export function aigcSink(stage: AigcStage, context: RequestContext, sink: ChatSink): ChatSink {
  const decision = labelDecision(stage.config, context);
  const label = 'unlabelled' in decision ? undefined : decision;
  const identify = (produceId: string | undefined, upstream?: unknown) => {
    context.aigc = aigcMetadata(stage.config, { provider: context.served?.provider.id ?? 'unknown', produceId, requestId: context.id }, upstream);
  };
  const audit = () => {
    if (!('unlabelled' in decision) || !stage.audit) return;
    const principal = context.principal;
    stage.audit.record({
      event: 'aigc_unlabelled', requestId: context.id, at: Date.now(), apiKeyId: context.apiKeyId ?? null,
      keyName: principal.kind === 'key' ? principal.name : null, clientIp: context.clientIp ?? null, endpoint: context.endpoint,
      model: context.served?.model.id ?? null, provider: context.served?.provider.id ?? null, reason: decision.unlabelled,
    });
  };

  // Streams: the label goes into the first text of a choice (start) or right before its finish (end).
  let opened = false;
  const hadText = new Set<number>();
  const done = new Set<number>();
  let last: Pick<ChatChunk, 'id' | 'created' | 'model'> = { id: `chatcmpl-${context.id}`, created: Math.floor(context.startedAt / 1000), model: context.modelRequested };
  const open = (produceId: string | undefined, upstream?: unknown) => {
    if (opened) return;
    opened = true;
    identify(produceId, upstream);
    sink.open();
  };
  const labelChunk = (index: number): StreamEvent => ({
    type: 'chunk',
    chunk: { ...last, object: 'chat.completion.chunk', choices: [{ index, delta: { content: label!.text }, finish_reason: null }] },
  });
  const endPending = () => {
    if (label?.position !== 'end') return;
    for (const index of hadText) {
      if (done.has(index)) continue;
      done.add(index);
      sink.event(labelChunk(index));
    }
  };
  const streamChunk = (event: Extract<StreamEvent, { type: 'chunk' }>) => {
    const { chunk } = event;
    last = { id: chunk.id ?? last.id, created: chunk.created ?? last.created, model: chunk.model ?? last.model };
    open(chunk.id, chunk.AIGC);
    if (!label) return sink.event(event);
    let changed = false;
    const before: number[] = [];
    const choices = chunk.choices.map((choice): ChunkChoice => {
      const text = typeof choice.delta.content === 'string' && choice.delta.content.length > 0;
      if (text) hadText.add(choice.index);
      if (label.position === 'start' && text && !done.has(choice.index)) {
        done.add(choice.index);
        changed = true;
        return { ...choice, delta: { ...choice.delta, content: label.text + choice.delta.content } };
      }
      if (label.position === 'end' && choice.finish_reason && hadText.has(choice.index) && !done.has(choice.index)) {
        done.add(choice.index);
        if (text) {
          changed = true;
          return { ...choice, delta: { ...choice.delta, content: choice.delta.content + label.text } };
        }
        before.push(choice.index);
      }
      return choice;
    });
    for (const index of before) sink.event(labelChunk(index));
    // A changed chunk is a copy without the raw upstream text, so the recorder's original stays as it was.
    sink.event(changed ? { type: 'chunk', chunk: { ...chunk, choices } } : event);
  };

  return {
    json(response: ChatResponse, usage, cost) {
      identify(response.id, response.AIGC);
      const answer = label
        ? {
            ...response,
            choices: response.choices.map((choice) =>
              typeof choice.message.content === 'string' && choice.message.content.length > 0
                ? { ...choice, message: { ...choice.message, content: labelled(choice.message.content, label) } }
                : choice,
            ),
          }
        : response;
      sink.json(answer, usage, cost);
      audit();
    },
    open() {
      // Deferred to the first event: the implicit label names the upstream's id for the content.
    },
    event(event) {
      if (event.type === 'chunk') return streamChunk(event);
      open(undefined);
      if (event.type === 'moderated') endPending();
      sink.event(event);
    },
    close(usage, cost) {
      open(undefined);
      endPending();
      sink.close(usage, cost);
      audit();
    },
    failMidStream(error, usage, cost) {
      open(undefined);
      endPending();
      sink.failMidStream(error, usage, cost);
      audit();
    },
  };
}
