import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { PUBLISHED_LIMITS, resolveModelLimits } from '../scheduling/model-limits.js';
import { formatTable } from './table.js';

export const usage = `usage: tidegate limits [--published] [--config FILE] [--json]
  the admission limits each configured model runs under (concurrency, tokens per minute) and where each comes from;
  --published: the built-in table of providers' published limits
`;

const show = (value: number | undefined) => (value === undefined ? 'unlimited' : String(value));

/**
 * tidegate limits: the admission limits each configured model runs under (concurrency, tokens per minute) and where
 * each comes from: models[].limits, the provider's published figure (with its source), or the default. With
 * --published, the built-in table of published figures itself.
 */
export async function limitsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, json: { type: 'boolean' }, published: { type: 'boolean' } } });
  if (values.published) {
    const rows = Object.entries(PUBLISHED_LIMITS).flatMap(([preset, models]) =>
      Object.entries(models).map(([model, limit]) => ({ preset, model, concurrency: limit.concurrency ?? null, tokens_per_minute: limit.tokensPerMinute ?? null, source: limit.source })));
    if (values.json) process.stdout.write(`${JSON.stringify({ published: rows }, null, 2)}\n`);
    else process.stdout.write(`${formatTable(['preset', 'model', 'concurrency', 'tokens/min', 'source'], rows.map((row) => [row.preset, row.model, show(row.concurrency ?? undefined), show(row.tokens_per_minute ?? undefined), row.source]))}\n`);
    return 0;
  }
  const config = loadConfig({ file: values.config });
  const rows = config.models.map((model) => {
    const limits = resolveModelLimits(config, model);
    return {
      model: model.id, provider: model.provider, upstream: model.upstream,
      concurrency: limits.concurrency, concurrency_source: limits.concurrencySource,
      tokens_per_minute: limits.tokensPerMinute ?? null, tokens_per_minute_source: limits.tokensPerMinuteSource ?? null,
      published_source: limits.published?.source ?? null,
    };
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ default_concurrency: config.scheduling.defaultConcurrency, models: rows }, null, 2)}\n`);
    return 0;
  }
  const from = (source: string | null, published: string | null) => (source === 'published' ? `published: ${published}` : source ?? '');
  process.stdout.write(`${formatTable(['model', 'provider', 'concurrency', 'from', 'tokens/min', 'from'], rows.map((row) => [
    row.model, row.provider, row.concurrency, from(row.concurrency_source, row.published_source), show(row.tokens_per_minute ?? undefined), from(row.tokens_per_minute_source, row.published_source),
  ]))}\n`);
  process.stdout.write(`\nOverride with models[].limits: { concurrency, tokensPerMinute }; "default" is scheduling.defaultConcurrency (${config.scheduling.defaultConcurrency}).\n`);
  return 0;
}
