import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';

/** GET /v1/models: the configured models, in OpenAI's list shape, with Tidegate's details alongside. */
export function listModels(services: Services, exchange: Exchange): void {
  const created = Math.floor(Date.now() / 1000);
  const data = services.config.models.map((model) => ({
    id: model.id,
    object: 'model',
    created,
    owned_by: model.provider,
    tidegate: {
      provider: model.provider,
      upstream: model.upstream,
      tier: model.tier,
      kind: model.kind,
      vision: model.vision,
      tools: model.tools,
      context_window: model.contextWindow ?? null,
      price_cny_per_million: model.price
        ? { input: model.price.input, cache_read: model.price.cacheRead ?? null, cache_write: model.price.cacheWrite ?? null, output: model.price.output, since: model.price.since }
        : null,
    },
  }));
  sendJson(exchange.response, 200, { object: 'list', data });
}
