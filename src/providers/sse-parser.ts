/**
 * The one SSE parser every provider stream goes through (WHATWG event-stream rules).
 * Comment lines (": keep-alive"), blank keep-alive lines and \r\n line ends are tolerated;
 * multi-byte characters split across network chunks are decoded correctly.
 */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private eventName: string | undefined;
  private dataLines: string[] = [];

  /** Feed bytes; returns the events completed by them. */
  push(bytes: Uint8Array | string): SseEvent[] {
    this.buffer += typeof bytes === 'string' ? bytes : this.decoder.decode(bytes, { stream: true });
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = this.buffer.indexOf('\n', start);
      if (newline === -1) break;
      let line = this.buffer.slice(start, newline);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      start = newline + 1;
      this.acceptLine(line, events);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Flush at end of stream: a final event without its blank line still counts. */
  end(): SseEvent[] {
    const events: SseEvent[] = [];
    const rest = this.buffer + this.decoder.decode();
    this.buffer = '';
    if (rest.length > 0) this.acceptLine(rest.replace(/\r$/, ''), events);
    this.dispatch(events);
    return events;
  }

  private acceptLine(line: string, events: SseEvent[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.dataLines.push(value);
    else if (field === 'event') this.eventName = value;
  }

  private dispatch(events: SseEvent[]): void {
    if (this.dataLines.length > 0) {
      events.push({ event: this.eventName, data: this.dataLines.join('\n') });
    }
    this.dataLines = [];
    this.eventName = undefined;
  }
}
