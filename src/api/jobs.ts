import { GatewayError } from '../errors/catalogue.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { formatNanoCny } from '../pricing/cost.js';
import type { JobRow } from '../storage/index.js';
import type { DeferredWork } from '../batch/deferred-work.js';

export function deferredWork(services: Services): DeferredWork {
  if (!services.deferred) throw new GatewayError('not_found', 'Deferred work is not available in this process.');
  return services.deferred;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A job as clients see it: status, plan, and the answer (a chat.completion) or the error once it ran. */
export function jobView(job: JobRow) {
  return {
    id: job.id,
    object: 'chat.completion.job',
    status: job.status,
    model: job.model,
    created_at: iso(job.created_at),
    not_before: iso(job.not_before),
    deadline: iso(job.deadline_at),
    plan: job.plan,
    attempts: job.attempt,
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    tariff: job.tariff,
    cost_cny: formatNanoCny(Number(job.cost_nano_cny)),
    on_demand_cost_cny: formatNanoCny(Number(job.on_demand_nano_cny)),
    result: job.status === 'succeeded' && job.result ? (JSON.parse(job.result) as unknown) : null,
    error: job.error ? (JSON.parse(job.error) as { error: unknown }).error : null,
  };
}

/** GET /v1/jobs/:id */
export async function getJobRoute(services: Services, exchange: Exchange): Promise<void> {
  sendJson(exchange.response, 200, jobView(await deferredWork(services).job(exchange.params.id ?? '', exchange.principal)));
}
