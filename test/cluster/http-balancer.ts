import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Backend {
  readonly name: string;
  readonly url: string;
  /** As last probed on GET /readyz (a new backend starts not ready). */
  ready: boolean;
  /** When the probe first saw it not ready after it had been ready (ms since epoch). */
  notReadySince: number | null;
}

/** One request the balancer forwarded: to which backend, when. */
export interface Routed {
  readonly backend: string;
  readonly at: number;
}

/**
 * A tiny round-robin HTTP balancer, as a Kubernetes Service with readiness probes behaves: it probes each
 * backend's /readyz every `probeMs` and sends each new request to the next ready backend, streaming the answer
 * through. Answers carry `x-balancer-backend`. Requests are never retried on another backend.
 */
export class HttpBalancer {
  private server: Server | undefined;
  private timer: NodeJS.Timeout | undefined;
  private next = 0;
  readonly backends: Backend[] = [];
  readonly routed: Routed[] = [];
  /** Each time a probe found a ready backend not ready, and why. */
  readonly flips: Array<{ backend: string; at: number; why: string }> = [];
  url = '';

  constructor(private readonly probeMs = 100) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.timer = setInterval(() => this.probeAll(), this.probeMs);
    return this.url;
  }

  add(name: string, url: string): Backend {
    const backend: Backend = { name, url, ready: false, notReadySince: null };
    this.backends.push(backend);
    return backend;
  }

  remove(name: string): void {
    const index = this.backends.findIndex((backend) => backend.name === name);
    if (index >= 0) this.backends.splice(index, 1);
  }

  backend(name: string): Backend | undefined {
    return this.backends.find((candidate) => candidate.name === name);
  }

  /** Polls until `check` holds (or throws after `timeoutMs`). */
  async until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('balancer: condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Backends with a probe in flight: each is probed on its own, so a slow one never delays the others. */
  private readonly probing = new Set<Backend>();

  private probeAll(): void {
    for (const backend of this.backends) {
      if (this.probing.has(backend)) continue;
      this.probing.add(backend);
      void this.probe(backend).finally(() => this.probing.delete(backend));
    }
  }

  private async probe(backend: Backend): Promise<void> {
    // A probe that times out on a busy machine says nothing: only an answer other than 200, or a refused
    // connection (the process is gone), takes a backend out.
    const ready = await fetch(`${backend.url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
      (response) => response.status === 200 || `status ${response.status}`,
      (error: Error) => ((error.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED' ? 'connection refused' : undefined),
    );
    if (ready === undefined) return;
    if (backend.ready && ready !== true) {
      backend.notReadySince = Date.now();
      this.flips.push({ backend: backend.name, at: Date.now(), why: String(ready) });
    }
    backend.ready = ready === true;
  }


  private forward(req: IncomingMessage, res: ServerResponse): void {
    const ready = this.backends.filter((backend) => backend.ready);
    if (ready.length === 0) {
      res.writeHead(502).end('no ready backend');
      return;
    }
    const backend = ready[this.next++ % ready.length]!;
    this.routed.push({ backend: backend.name, at: Date.now() });
    const target = new URL(req.url ?? '/', backend.url);
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, host: target.host, connection: 'close' }, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-balancer-backend': backend.name });
      answer.on('error', () => res.destroy()); // cut by the backend: the client sees the cut
      answer.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end('backend connection failed')));
    req.pipe(upstream);
  }
}
