import { parseArgs } from 'node:util';
import { periodsAt } from '../budgets/periods.js';
import { loadConfig } from '../config/index.js';
import { buildUsageReport, parseUsageGroup } from '../reports/usage.js';
import { migrate, openDatabase, usageReport, type UsageGroup } from '../storage/index.js';
import { formatTable } from './table.js';
import { printSchedulingReport } from './scheduling-report.js';
import { beijingLabel, parseDateRange, type DateBound } from './date-options.js';
import { UsageError } from './usage-error.js';

export const usage = `usage: tidegate usage [--group key|model|provider|scenario|day|tier] [--since D] [--until D] [--key ID]
                      [--scheduling] [--config FILE] [--json]
  spend, flagship-equivalent spend and savings from the request log (--scheduling: deferred work and queueing).
  D is a date YYYY-MM-DD, a Beijing day, or an ISO-8601 time (Beijing time without an offset).
  --since D   from the start of that day (default: the first day of this month)
  --until D   through the end of that day, which is included (default: today); a time is an exact, excluded end
`;

function usageGroup(value: string | undefined): UsageGroup {
  try {
    return parseUsageGroup(value);
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
}

/** The range the report covers: this month so far unless told otherwise. */
function reportRange(values: { since?: string | undefined; until?: string | undefined }, now: number): { since: DateBound; until: DateBound } {
  const given = parseDateRange(values);
  const periods = periodsAt(now);
  const since = given.since ?? { ms: periods.monthStart, label: beijingLabel(periods.monthStart, false), wholeDay: true };
  const until = given.until ?? { ms: periods.dayEnd, label: periods.day, wholeDay: true };
  if (since.ms >= until.ms) throw new UsageError(`--until ${until.label} is before ${given.since ? '--since' : 'the default --since (this month\'s start)'} ${since.label}`);
  return { since, until };
}

const percent = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** tidegate usage: spend, flagship-equivalent spend and savings from the request log. */
export async function usageCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, group: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' }, scheduling: { type: 'boolean' } },
  });
  const group = usageGroup(values.group);
  const range = reportRange(values, Date.now());
  const [since, until] = [range.since.ms, range.until.ms];
  const heading = `${range.since.label} to ${range.until.label} (Beijing time, ${range.until.wholeDay ? 'last day included' : 'end excluded'})`;
  const config = loadConfig({ file: values.config });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    if (values.scheduling) return await printSchedulingReport(database, since, until, heading, values.json === true);
    const report = buildUsageReport(group, since, until, await usageReport(database, { group, since, until, apiKeyId: values.key }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const rows = [...report.rows, report.total].map((row) => [
      row.group, row.requests, row.errors, row.input_tokens, row.output_tokens, row.spend_cny, row.flagship_equivalent_cny, row.savings_cny, percent(row.savings_share), row.cache_hits, row.cache_savings_cny, row.provider_cache_savings_cny, percent(row.light_share),
    ]);
    process.stdout.write(`Usage by ${group}, ${heading}\n\n`);
    process.stdout.write(`${formatTable([group, 'requests', 'errors', 'input tok', 'output tok', 'spend ¥', 'flagship ¥', 'saved ¥', 'saved', 'cache hits', 'cache saved ¥', 'provider cache saved ¥', 'light share'], rows)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
