import { ChatCallError, type ChatAnswer, type ChatClient, type ChatRequest } from './chat-client.js';

export type Priority = 'interactive' | 'standard' | 'deferrable';

export interface GatewayChatClientOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:8080 (a trailing /v1 is accepted). */
  readonly url: string;
  readonly apiKey?: string | undefined;
  /**
   * x-tidegate-priority. `standard` by default: a `deferrable` request is answered 202 with a job that may
   * wait for the next off-peak window, which a replay would have to poll for hours; evaluations that can
   * wait should rather go through `tidegate batch`.
   */
  readonly priority?: Priority;
  /** Extra request headers (e.g. x-tidegate-cache: bypass, which the replay always sends). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts for retryable failures (429, 5xx, network); default 3. */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

interface CompletionBody {
  choices?: Array<{ message?: { content?: unknown } }>;
  error?: { message?: string; code?: string | null; type?: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Text of an OpenAI message content (a string or an array of text parts). */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('');
  return '';
}

/** A ChatClient for a running Tidegate gateway (or any OpenAI-compatible endpoint): POST /v1/chat/completions. */
export function gatewayChatClient(options: GatewayChatClientOptions): ChatClient {
  const base = options.url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const doFetch = options.fetch ?? fetch;
  const attempts = Math.max(1, options.attempts ?? 3);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-tidegate-priority': options.priority ?? 'standard',
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    ...options.headers,
  };
  return {
    async complete(request: ChatRequest): Promise<ChatAnswer> {
      let last: ChatCallError | undefined;
      for (let attempt = 1; attempt <= attempts; attempt += 1) {
        const started = performance.now();
        let response: Response;
        try {
          response = await doFetch(`${base}/v1/chat/completions`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ ...request, stream: false }),
            signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
          });
        } catch (error) {
          last = new ChatCallError(`cannot reach ${base}: ${(error as Error).message}`, 'connection_failed', undefined);
          await sleep((options.retryDelayMs ?? 500) * attempt);
          continue;
        }
        const body = (await response.json().catch(() => ({}))) as CompletionBody;
        if (response.status === 202) {
          throw new ChatCallError('the gateway deferred the request (202, a job); replay with --priority standard or interactive', 'deferred', 202);
        }
        if (!response.ok) {
          last = new ChatCallError(`${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? response.statusText}`.replace(/\s+:/, ':'), body.error?.code ?? `http_${response.status}`, response.status);
          if (response.status !== 429 && response.status < 500) throw last;
          const retryAfter = Number(response.headers.get('retry-after'));
          await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter * 1000, 30_000) : (options.retryDelayMs ?? 500) * attempt);
          continue;
        }
        const cost = Number(response.headers.get('x-tidegate-cost-cny'));
        return {
          content: textOf(body.choices?.[0]?.message?.content),
          servedBy: response.headers.get('x-tidegate-model') ?? undefined,
          costCny: response.headers.has('x-tidegate-cost-cny') && Number.isFinite(cost) ? cost : undefined,
          requestId: response.headers.get('x-tidegate-request-id') ?? undefined,
          latencyMs: performance.now() - started,
        };
      }
      throw last ?? new ChatCallError('no attempt was made', 'internal_error', undefined);
    },
  };
}
