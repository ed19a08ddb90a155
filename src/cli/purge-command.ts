import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { purgeKey, sweepExpired } from '../flywheel/retention.js';
import { listApiKeys, migrate, openDatabase } from '../storage/index.js';
import { formatTable } from './table.js';

export const usage = `Usage:
  tidegate purge --key ID [--json]     delete a key's captured content, its feedback and its dataset entries
  tidegate purge --expired [--json]    delete what is past its retention now (the gateway also does this periodically)
`;

/** tidegate purge: a tenant's captured content and feedback, or everything past its retention. */
export async function purgeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, key: { type: 'string' }, expired: { type: 'boolean' }, json: { type: 'boolean' } } });
  if ((values.key === undefined) === (values.expired !== true)) {
    process.stderr.write(usage);
    return 2;
  }
  const config = loadConfig({ file: values.config });
  const database = await openDatabase(config.storage.url);
  try {
    await migrate(database);
    if (values.key !== undefined) {
      // A key id, or the prefix `tidegate keys list` shows.
      const wanted = values.key;
      const key = (await listApiKeys(database)).find((candidate) => candidate.id === wanted || candidate.prefix === wanted);
      const id = key?.id ?? wanted;
      const result = await purgeKey(database, id);
      if (values.json) process.stdout.write(`${JSON.stringify({ key: id, ...result })}\n`);
      else process.stdout.write(`Purged key ${id}${key ? ` (${key.name})` : ''}:\n${formatTable(['captured inferences', 'feedback', 'dataset entries'], [[result.inferences, result.feedback, result.datasetRows]])}\n`);
      return 0;
    }
    const result = await sweepExpired(database, Date.now(), config.flywheel.capture.metadataRetentionMs);
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${formatTable(['expired inferences', 'feedback', 'dataset entries', 'request-log rows'], [[result.inferences, result.feedback, result.datasetRows, result.requestLog]])}\n`);
    return 0;
  } finally {
    await database.close();
  }
}
