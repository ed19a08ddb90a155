/** Small node:http helpers shared by both dialects: JSON answers, SSE writing, pacing. */
import type { ServerResponse } from 'node:http';

export const sleep = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();

export function open(res: ServerResponse): boolean {
  return !res.destroyed && !res.writableEnded;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  prefix = '',
): void {
  if (!open(res)) return;
  const text = prefix + JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes an SSE stream, pacing chunks by `delayMs`. Every write is a no-op once the client is gone. */
export class SseWriter {
  private started = false;
  private sent = 0;

  constructor(private readonly res: ServerResponse, private readonly delayMs: number) {}

  get alive(): boolean {
    return open(this.res);
  }

  start(headers: Record<string, string> = {}): void {
    if (this.started || !this.alive) return;
    this.started = true;
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...headers,
    });
    this.res.flushHeaders();
  }

  /** Raw text onto the wire (comments, blank lines, broken lines). */
  raw(text: string): void {
    this.start();
    if (this.alive) this.res.write(text);
  }

  async data(payload: unknown): Promise<void> {
    await this.pace();
    this.raw(`data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);
  }

  async event(name: string, payload: unknown): Promise<void> {
    await this.pace();
    this.raw(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  end(): void {
    this.start();
    if (this.alive) this.res.end();
  }

  /** Drop the TCP connection without finishing the response. */
  cut(): void {
    this.res.socket?.destroy();
    this.res.destroy();
  }

  private async pace(): Promise<void> {
    if (this.sent > 0) await sleep(this.delayMs);
    this.sent += 1;
  }
}

/** One request on its way to a dialect handler, after scripted errors and delays were dealt with. */
export interface Exchange {
  res: ServerResponse;
  preset: string;
  body: Record<string, unknown>;
  /** The scripted step still to play (ok or a stream behaviour); undefined for default success. */
  step: import('./types.js').ScriptStep | undefined;
  book: import('./answers.js').AnswerBook;
  tokenDelayMs: number;
}
