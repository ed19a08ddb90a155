import { formatNanoCny } from '../pricing/cost.js';
import type { DeferredReport, PriorityClassRow } from '../storage/index.js';

/** The peak-and-valley report: deferred work against its on-demand price, and what each class waited or lost. */
export function buildSchedulingReport(since: number, until: number, deferred: DeferredReport, classes: readonly PriorityClassRow[]) {
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    deferred: {
      jobs: deferred.jobs,
      succeeded: deferred.succeeded,
      failed: deferred.failed,
      pending: deferred.queued,
      deadline_misses: deferred.deadlineMisses,
      input_tokens: deferred.inputTokens,
      output_tokens: deferred.outputTokens,
      cost_cny: formatNanoCny(deferred.costNanoCny),
      on_demand_cost_cny: formatNanoCny(deferred.onDemandNanoCny),
      saved_cny: formatNanoCny(deferred.onDemandNanoCny - deferred.costNanoCny),
    },
    classes: classes.map((row) => ({
      priority: row.priority,
      requests: row.requests,
      shed: row.shed,
      downgraded: row.downgraded,
      queue_ms_avg: row.queueMsAvg,
      queue_ms_max: row.queueMsMax,
    })),
  };
}
