import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { formatNanoCny } from '../pricing/cost.js';
import { jobCounts, listAllBatches } from '../rollups/batch-jobs.js';
import { keyNames } from '../rollups/request-search.js';
import { dashboardStore, decodeCursor, encodeCursor, oneOf, pageSize, query, text } from './dashboard-params.js';

const BATCH_STATUSES = ['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled'] as const;
const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** GET /admin/dashboard/batches: every key's batches with their lines, deadlines and provider-batch forwarding. */
export async function batchesPage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const params = query(exchange);
  const limit = pageSize(params);
  const [{ batches, more }, counts] = await Promise.all([
    listAllBatches(database, { status: oneOf(params, 'status', BATCH_STATUSES), key: text(params, 'key'), limit, after: decodeCursor(params) }),
    jobCounts(database, Date.now()),
  ]);
  const names = await keyNames(database, batches.map((batch) => batch.api_key_id));
  const last = batches[batches.length - 1];
  sendJson(exchange.response, 200, {
    counts: { batches: counts.batches, jobs: counts.jobs },
    data: batches.map((batch) => ({
      id: batch.id,
      key_id: batch.api_key_id,
      key_name: batch.api_key_id === null ? null : (names.get(batch.api_key_id) ?? null),
      endpoint: batch.endpoint,
      status: batch.status,
      completion_window: batch.completion_window,
      created_at: iso(batch.created_at),
      deadline: iso(batch.expires_at),
      completed_at: iso(batch.completed_at),
      total: batch.total,
      lines: batch.lines.byStatus,
      cost_cny: formatNanoCny(batch.lines.costNano),
      on_demand_cost_cny: formatNanoCny(batch.lines.onDemandNano),
      saved_cny: formatNanoCny(batch.lines.onDemandNano - batch.lines.costNano),
      provider_batches: batch.providerBatches.map((group) => ({
        id: group.id,
        provider: group.provider,
        status: group.status,
        lines: group.lines,
        upstream_batch_id: group.upstream_batch_id,
        upstream_status: group.upstream_status,
        submitted_at: iso(group.submitted_at),
        polled_at: iso(group.polled_at),
        settled_at: iso(group.settled_at),
        error: group.error,
      })),
    })),
    deferred: { counts: counts.deferred.counts, next_deadline: iso(counts.deferred.nextDeadline), overdue: counts.deferred.overdue },
    limit,
    next_cursor: more && last ? encodeCursor(Number(last.created_at), last.id) : null,
  });
}
