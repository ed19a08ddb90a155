/**
 * The platform floor for npm run bench: the smallest correct HTTP proxy Node.js can run, so the benchmark can say
 * how much of a gateway's cost is Node's own (node:http server, undici client, one event loop) and how much is the
 * gateway's. It reads the request body, forwards it unchanged to one upstream over a pooled keep-alive agent, and
 * streams the answer back with its status and content type. No auth, no parsing, no logging, no routing: no real
 * gateway can be cheaper than this on the same runtime.
 *
 *   node dist/bench/floor-proxy.js --upstream URL [--slow-upstream URL]   prints {"url":"http://127.0.0.1:PORT"}
 *
 * Paths under /slow/ go to the slow (streaming) upstream with the prefix removed; every other path to --upstream.
 */
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const upstream = arg('--upstream');
const slowUpstream = arg('--slow-upstream') ?? upstream;
if (!upstream) {
  process.stderr.write('usage: floor-proxy --upstream URL [--slow-upstream URL]\n');
  process.exit(2);
}
const SLOW = '/slow/';
const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, pipelining: 1 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const path = req.url ?? '/';
    const url = path.startsWith(SLOW) ? `${slowUpstream}${path.slice(SLOW.length - 1)}` : `${upstream}${path}`;
    request(url, {
      method: 'POST',
      body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      headers: { 'content-type': req.headers['content-type'] ?? 'application/json', authorization: req.headers.authorization ?? '' },
      dispatcher: agent,
    }).then(
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode, { 'content-type': String(upstreamResponse.headers['content-type'] ?? 'application/json') });
        upstreamResponse.body.on('data', (chunk: Buffer) => res.write(chunk));
        upstreamResponse.body.on('end', () => res.end());
        upstreamResponse.body.on('error', () => res.destroy());
      },
      () => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"upstream failed","type":"api_error","code":"upstream_error"}}');
      },
    );
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
