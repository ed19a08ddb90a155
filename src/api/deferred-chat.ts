import type { ChatRequest } from '../canonical/chat.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Services } from '../pipeline/services.js';
import { priorityHeader } from '../scheduling/priority.js';
import { deferredWork, jobView } from './jobs.js';

/**
 * A deferrable chat request: stored as a job planned for the cheapest window before its deadline and answered
 * 202 with the job (GET /v1/jobs/{id} for status and the answer). Not a model call yet, so no ledger row now;
 * the job's run is logged and billed when it happens.
 */
export async function acceptDeferred(services: Services, exchange: Exchange, context: RequestContext, request: ChatRequest, deadlineAt: number): Promise<void> {
  const job = await deferredWork(services).submitChat(context, request, deadlineAt);
  delete exchange.context;
  sendJson(exchange.response, 202, jobView(job), {
    location: `/v1/jobs/${job.id}`,
    'x-tidegate-priority': priorityHeader('deferrable', context.priorityDowngradedFrom),
    'x-tidegate-job-id': job.id,
  });
}
