import type { ModelConfig } from '../config/types.js';
import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { priceAt } from '../pricing/price-book.js';

function current(model: ModelConfig) {
  const version = priceAt(model.prices, new Date());
  if (!version) return null;
  return {
    currency: version.currency,
    per_million_tokens: { input: version.input, cache_read: version.cacheRead ?? null, cache_write: version.cacheWrite ?? null, output: version.output },
    since: version.since,
    time_of_day_tariff: version.tariff?.schedule ?? null,
    source: version.source,
  };
}

/** GET /v1/models: the configured models, in OpenAI's list shape, with Tidegate's details alongside. */
export function listModels(services: Services, exchange: Exchange): void {
  sendJson(exchange.response, 200, { object: 'list', data: modelObjects(services) });
}

/** GET /v1/models/{id}: one model or route, as in the list (the OpenAI SDKs' `models.retrieve`). */
export function retrieveModel(services: Services, exchange: Exchange): void {
  const id = exchange.params.id ?? '';
  const found = modelObjects(services).find((model) => model.id === id);
  if (!found) throw new GatewayError('model_not_found', `The model "${id}" is not configured. GET /v1/models lists the available ones.`, { param: 'model' });
  sendJson(exchange.response, 200, found);
}

function modelObjects(services: Services) {
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
      price: current(model),
      // 备案号 or 上线编号 to show beside the model name (null: none known; requireFiled refuses it).
      filing: model.filing ?? null,
    },
  }));
  const routes = services.config.routes.map((route) => ({
    id: route.id,
    object: 'model',
    created,
    owned_by: 'tidegate',
    tidegate: {
      route: true,
      light: route.light,
      flagship: route.flagship,
      quality_target: route.qualityTarget,
      require_filed: route.requireFiled ?? services.config.requireFiled,
      router: services.router?.router.version ?? null,
      expected_flagship_share: services.router ? services.router.calibration(route.qualityTarget).expectedFlagshipShare : null,
    },
  }));
  return [...data, ...routes];
}
