import { describe, expect, it } from 'vitest';
import { validateEmbeddingsRequest } from '../../src/api/embeddings.js';
import type { GatewayError } from '../../src/errors/catalogue.js';
import { gatewayErrorOf } from '../fixtures/gateway-error.js';

const base = { model: 'text-embedding-3-small', input: 'hello' };

const rejection = (body: object): GatewayError => gatewayErrorOf(() => validateEmbeddingsRequest({ ...base, ...body }), JSON.stringify(body));

describe('validateEmbeddingsRequest', () => {
  it.each<[string, object, string]>([
    ['an empty string', { input: '' }, 'input'],
    ['an empty array', { input: [] }, 'input'],
    ['an array holding an empty string', { input: ['a', ''] }, 'input[1]'],
    ['an array holding an empty token array', { input: [[1, 2], []] }, 'input[1]'],
    ['no input', { input: undefined }, 'input'],
    ['an object input', { input: { text: 'a' } }, 'input'],
    ['encoding_format hex', { encoding_format: 'hex' }, 'encoding_format'],
    ['dimensions -1', { dimensions: -1 }, 'dimensions'],
    ['dimensions 0', { dimensions: 0 }, 'dimensions'],
    ['dimensions 1.5', { dimensions: 1.5 }, 'dimensions'],
    ['dimensions as a string', { dimensions: '256' }, 'dimensions'],
    ['user as a number', { user: 5 }, 'user'],
  ])('refuses %s', (_, body, param) => {
    expect(rejection(body)).toMatchObject({ code: 'invalid_request', status: 400, param });
  });

  it.each<[string, object]>([
    ['a string', {}],
    ['strings', { input: ['a', 'b'] }],
    ['a token array', { input: [1, 2, 3] }],
    ['token arrays', { input: [[1, 2], [3]] }],
    ['float and base64', { encoding_format: 'float' }],
    ['base64 and dimensions', { encoding_format: 'base64', dimensions: 256, user: 'u-1' }],
    ['nulls for optional fields', { encoding_format: null, dimensions: null, user: null }],
  ])('accepts %s', (_, body) => {
    expect(() => validateEmbeddingsRequest({ ...base, ...body })).not.toThrow();
  });
});
