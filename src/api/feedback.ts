import { GatewayError } from '../errors/catalogue.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';

/**
 * POST /v1/feedback {inference_id | episode_id, metric, value, comment?, idempotency_key?}: a boolean or float
 * metric declared in the config, a comment, or a demonstration (the ideal answer). Idempotent: the same
 * Idempotency-Key header (or idempotency_key, or else the same payload) returns the first feedback's id.
 */
export async function postFeedback(services: Services, exchange: Exchange): Promise<void> {
  if (!services.flywheel) throw new GatewayError('not_found', 'Feedback is not available in this process.');
  const body = await readJsonBody(exchange.request, services.config.server.bodyLimitBytes);
  const { principal } = exchange;
  const header = exchange.request.headers['idempotency-key'];
  const result = await services.flywheel.feedback(
    { apiKeyId: principal.kind === 'key' ? principal.keyId : undefined, seesAll: principal.kind !== 'key' },
    body,
    typeof header === 'string' ? header : undefined,
  );
  // New feedback on an experiment's metric becomes an outcome of the arm that served the target (src/experiments/).
  if (result.created) {
    await services.experiments?.observe(result).catch((error: unknown) => services.logger.warn('experiment outcome not recorded', { error: String(error) }));
  }
  sendJson(exchange.response, 200, {
    id: result.id,
    object: 'feedback',
    [`${result.targetType}_id`]: result.targetId,
    metric: result.metric,
    duplicate: !result.created,
  });
}
