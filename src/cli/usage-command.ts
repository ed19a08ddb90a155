import { parseArgs } from 'node:util';
import { periodsAt } from '../budgets/periods.js';
import { loadConfig } from '../config/index.js';
import { buildUsageReport, parseUsageGroup } from '../reports/usage.js';
import { migrate, openDatabase, usageReport } from '../storage/index.js';
import { formatTable } from './table.js';
import { printSchedulingReport } from './scheduling-report.js';

function beijingDay(value: string | undefined, fallback: number, flag: string): number {
  if (value === undefined) return fallback;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`--${flag} takes a date YYYY-MM-DD (Beijing time), got ${value}`);
  return Date.parse(`${value}T00:00:00+08:00`);
}

const percent = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** tidegate usage: spend, flagship-equivalent spend and savings from the request log. */
export async function usageCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, group: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' }, scheduling: { type: 'boolean' } },
  });
  const group = parseUsageGroup(values.group);
  const now = Date.now();
  const since = beijingDay(values.since, periodsAt(now).monthStart, 'since');
  const until = beijingDay(values.until, periodsAt(now).dayEnd, 'until');
  const config = loadConfig({ file: values.config });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    if (values.scheduling) return await printSchedulingReport(database, since, until, values.json === true);
    const report = buildUsageReport(group, since, until, await usageReport(database, { group, since, until, apiKeyId: values.key }));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    }
    const rows = [...report.rows, report.total].map((row) => [
      row.group, row.requests, row.errors, row.input_tokens, row.output_tokens, row.spend_cny, row.flagship_equivalent_cny, row.savings_cny, percent(row.savings_share), row.cache_hits, row.cache_savings_cny, row.provider_cache_savings_cny, percent(row.light_share),
    ]);
    process.stdout.write(`Usage by ${group}, ${report.since.slice(0, 10)} to ${report.until.slice(0, 10)} (Beijing days)\n\n`);
    process.stdout.write(`${formatTable([group, 'requests', 'errors', 'input tok', 'output tok', 'spend ¥', 'flagship ¥', 'saved ¥', 'saved', 'cache hits', 'cache saved ¥', 'provider cache saved ¥', 'light share'], rows)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
