import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/catalogue.js';
import { collectBody } from './collect-body.js';

/** Read and parse a JSON body, refusing anything over `limitBytes` before buffering it all. */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    throw new GatewayError('body_too_large', `The body is ${declared} bytes; the limit is ${limitBytes}.`);
  }
  const type = request.headers['content-type'];
  if (type && !/json|text\/plain/i.test(type)) {
    request.resume();
    throw new GatewayError('unsupported_media_type', `Content-Type ${type} is not accepted; send application/json.`);
  }
  const tooLarge = () => new GatewayError('body_too_large', `The body is larger than the limit of ${limitBytes} bytes.`);
  const text = (await collectBody(request, limitBytes, tooLarge)).toString('utf8');
  if (text.trim() === '') throw new GatewayError('invalid_json', 'The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
}
