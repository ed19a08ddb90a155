/** Stream integration: canonical StreamEvents inside the gateway, and raw OpenAI SSE bytes at the edge. */
import type { ChatChunk } from '../canonical/chat.js';
import type { StreamEvent } from '../providers/adapter.js';
import { SseParser, type SseEvent } from '../providers/sse-parser.js';
import type { Restorer } from './restore.js';

/**
 * Restores placeholders in an adapter's event stream. Held-back text is released before `usage` and
 * `moderated` events and at the end; a chunk that changed loses its `raw` copy.
 */
export async function* restoreStreamEvents(events: AsyncIterable<StreamEvent>, restorer: Restorer): AsyncIterable<StreamEvent> {
  if (restorer.size === 0) {
    yield* events;
    return;
  }
  const chunks = restorer.chunkStream();
  for await (const event of events) {
    if (event.type === 'chunk') {
      const chunk = chunks.restoreChunk(event.chunk);
      yield chunk === event.chunk ? event : { type: 'chunk', chunk };
      continue;
    }
    const rest = chunks.flush();
    if (rest !== null) yield { type: 'chunk', chunk: rest };
    yield event;
  }
  const rest = chunks.flush();
  if (rest !== null) yield { type: 'chunk', chunk: rest };
}

/**
 * Restores an OpenAI chat-completions SSE byte stream: events split across network chunks, CRLF lines and
 * multi-byte characters split between chunks are handled by the gateway's SSE parser. Output is re-framed
 * as `data: …\n\n` events; lines that are not chunk JSON pass through unchanged.
 */
export class SseRestorer {
  private readonly parser = new SseParser();
  private readonly encoder = new TextEncoder();
  private readonly chunks;

  constructor(restorer: Restorer) {
    this.chunks = restorer.chunkStream();
  }

  push(bytes: Uint8Array | string): Uint8Array {
    return this.encoder.encode(this.render(this.parser.push(bytes)));
  }

  end(): Uint8Array {
    let out = this.render(this.parser.end());
    const rest = this.chunks.flush();
    if (rest !== null) out += frame(undefined, JSON.stringify(rest));
    return this.encoder.encode(out);
  }

  private render(events: SseEvent[]): string {
    let out = '';
    for (const event of events) {
      if (event.data === '[DONE]') {
        const rest = this.chunks.flush();
        if (rest !== null) out += frame(undefined, JSON.stringify(rest));
        out += frame(event.event, event.data);
        continue;
      }
      const chunk = parseChunk(event.data);
      out += frame(event.event, chunk === undefined ? event.data : JSON.stringify(this.chunks.restoreChunk(chunk)));
    }
    return out;
  }
}

function parseChunk(data: string): ChatChunk | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && Array.isArray((value as { choices?: unknown }).choices)
      ? value as ChatChunk : undefined;
  } catch {
    return undefined;
  }
}

function frame(event: string | undefined, data: string): string {
  const lines = data.split('\n').map((line) => `data: ${line}\n`).join('');
  return `${event === undefined ? '' : `event: ${event}\n`}${lines}\n`;
}
