import { buildSchedulingReport } from '../reports/scheduling.js';
import { deferredReport, priorityReport, type Database } from '../storage/index.js';
import { formatTable } from './table.js';

/** tidegate usage --scheduling: deferred work against on-demand prices, waits, shed and downgraded requests per class. */
export async function printSchedulingReport(database: Database, since: number, until: number, heading: string, json: boolean): Promise<number> {
  const report = buildSchedulingReport(since, until, await deferredReport(database, since, until), await priorityReport(database, since, until));
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const d = report.deferred;
  process.stdout.write(`Scheduling, ${heading}\n\n`);
  process.stdout.write(`${formatTable(['deferred jobs', 'succeeded', 'failed', 'pending', 'deadline misses', 'input tok', 'output tok', 'cost ¥', 'on-demand ¥', 'saved ¥'], [[d.jobs, d.succeeded, d.failed, d.pending, d.deadline_misses, d.input_tokens, d.output_tokens, d.cost_cny, d.on_demand_cost_cny, d.saved_cny]])}\n\n`);
  process.stdout.write(`${formatTable(['class', 'requests', 'shed', 'downgraded', 'avg wait ms', 'max wait ms'], report.classes.map((row) => [row.priority, row.requests, row.shed, row.downgraded, row.queue_ms_avg, row.queue_ms_max]))}\n`);
  return 0;
}
