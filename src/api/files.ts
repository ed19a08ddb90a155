import { GatewayError } from '../errors/catalogue.js';
import { readBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { fileObject } from '../batch/batch-files.js';
import { deferredWork } from './jobs.js';

/** Batch input files may be larger than a chat body: ten times server.bodyLimitBytes. */
const fileLimit = (services: Services) => services.config.server.bodyLimitBytes * 10;

/** POST /v1/files (multipart/form-data: purpose, file), parsed with the platform's FormData. */
async function uploadFile(services: Services, exchange: Exchange): Promise<void> {
  const type = exchange.request.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(type)) throw new GatewayError('unsupported_media_type', 'Upload files as multipart/form-data with fields "purpose" and "file".');
  const body = await readBody(exchange.request, fileLimit(services));
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch (error) {
    throw new GatewayError('invalid_request', `The multipart body could not be read: ${(error as Error).message}`);
  }
  const purpose = form.get('purpose');
  const file = form.get('file');
  if (typeof purpose !== 'string') throw new GatewayError('invalid_request', 'purpose: missing (use "batch").', { param: 'purpose' });
  if (file === null || typeof file === 'string') throw new GatewayError('invalid_request', 'file: missing; send the JSONL as a file part.', { param: 'file' });
  const content = Buffer.from(await file.arrayBuffer()).toString('utf8');
  const created = await deferredWork(services).createFile(exchange.principal, purpose, file.name || 'upload.jsonl', content);
  sendJson(exchange.response, 200, fileObject(created));
}

async function retrieveFile(services: Services, exchange: Exchange): Promise<void> {
  sendJson(exchange.response, 200, fileObject(await deferredWork(services).file(exchange.params.id ?? '', exchange.principal)));
}

/** GET /v1/files/:id/content: the JSONL as uploaded or written (output and error files). */
async function fileContent(services: Services, exchange: Exchange): Promise<void> {
  const file = await deferredWork(services).file(exchange.params.id ?? '', exchange.principal);
  exchange.response.writeHead(200, { 'content-type': 'application/jsonl; charset=utf-8', 'content-length': Buffer.byteLength(file.content) });
  exchange.response.end(file.content);
}

async function listFilesRoute(services: Services, exchange: Exchange): Promise<void> {
  const files = await deferredWork(services).files(exchange.principal, 100);
  sendJson(exchange.response, 200, { object: 'list', data: files.map(fileObject), has_more: false });
}

export const fileRoutes: readonly Route[] = [
  { method: 'POST', path: '/v1/files', access: 'client', handler: uploadFile },
  { method: 'GET', path: '/v1/files', access: 'client', handler: listFilesRoute },
  { method: 'GET', path: '/v1/files/:id', access: 'client', handler: retrieveFile },
  { method: 'GET', path: '/v1/files/:id/content', access: 'client', handler: fileContent },
];
