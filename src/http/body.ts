import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, type ZlibOptions } from 'node:zlib';
import { GatewayError } from '../errors/catalogue.js';
import { collectBody } from './collect-body.js';

/**
 * The deepest nesting of arrays and objects a request body may have. Real requests (tool schemas included) stay
 * far below it; deeper input would overflow the stack of the recursive code downstream (stable stringify, token
 * estimation) and come back as a 500.
 */
export const MAX_JSON_DEPTH = 128;

type Decode = (buffer: Buffer, options: ZlibOptions) => Promise<Buffer>;

/** Content-Encodings a client may send; each decoder stops at maxOutputLength, so a zip bomb inflates no further than the limit. */
const DECODERS: Readonly<Record<string, Decode>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

/** Read and parse a JSON body, refusing anything over `limitBytes` (before and after decoding) before buffering it all. */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const type = request.headers['content-type'];
  if (type && !/json|text\/plain/i.test(type)) {
    request.resume();
    throw new GatewayError('unsupported_media_type', `Content-Type ${type} is not accepted; send application/json.`);
  }
  const text = stripBom((await readBody(request, limitBytes)).toString('utf8'));
  if (text.trim() === '') throw new GatewayError('invalid_json', 'The request body is empty; send a JSON object.');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (nestedDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new GatewayError('invalid_request', `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  return body;
}

/**
 * The request body as sent, decoded from its Content-Encoding, refused with 413 once it passes `limitBytes`
 * either as received or as decoded. An over-long body is drained, not destroyed, so the 413 still reaches the client.
 */
export async function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    throw new GatewayError('body_too_large', `The body is ${declared} bytes; the limit is ${limitBytes}.`);
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decode = DECODERS[encoding];
  if (!decode && encoding !== 'identity' && encoding !== '') {
    request.resume();
    throw new GatewayError('unsupported_media_type', `Content-Encoding ${encoding} is not accepted; send the body uncompressed or as gzip, deflate or br.`);
  }
  const tooLarge = () => new GatewayError('body_too_large', `The body is larger than the limit of ${limitBytes} bytes.`);
  const received = await collectBody(request, limitBytes, tooLarge);
  return decode ? decoded(received, encoding, decode, limitBytes) : received;
}

async function decoded(body: Buffer, encoding: string, decode: Decode, limitBytes: number): Promise<Buffer> {
  try {
    return await decode(body, { maxOutputLength: limitBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GatewayError('body_too_large', `The ${encoding} body decodes to more than the limit of ${limitBytes} bytes.`);
    }
    throw new GatewayError('invalid_request', `The ${encoding} body could not be decoded: ${(error as Error).message}`);
  }
}

/** Some Windows tools write a UTF-8 byte-order mark first; JSON.parse would call it an unexpected token. */
function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Whether arrays and objects nest more than `limit` levels, walked with an explicit stack (no recursion to overflow). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const nodes: unknown[] = [value];
  const depths: number[] = [1];
  while (nodes.length > 0) {
    const node = nodes.pop();
    const depth = depths.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child !== 'object' || child === null) continue;
      nodes.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}
