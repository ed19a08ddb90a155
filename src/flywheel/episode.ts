import { GatewayError } from '../errors/catalogue.js';
import { isUuid } from './feedback.js';

/**
 * x-tidegate-episode-id groups the calls of multi-step work so feedback can score the whole episode. It
 * must be a UUID (ideally one the gateway returned: each response's x-tidegate-episode-id is the episode id
 * sent, or, when none was sent, the request's own id, which starts a new episode). Returns undefined when absent.
 */
export function episodeHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !isUuid(value)) {
    throw new GatewayError('invalid_episode_id', 'x-tidegate-episode-id must be a UUID, such as the x-tidegate-episode-id of an earlier response.', { param: 'x-tidegate-episode-id' });
  }
  return value.toLowerCase();
}
