import { parseArgs } from 'node:util';
import { checkConfig } from '../config/index.js';
import { priceAt } from '../pricing/price-book.js';
import { formatTable } from './table.js';

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') {
    process.stderr.write('usage: tidegate config check [FILE] [--json]\n');
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  const file = positionals[0] ?? values.config;
  const result = checkConfig(file);
  if (!result.ok) {
    if (values.json) process.stdout.write(`${JSON.stringify({ ok: false, problems: result.error.problems }, null, 2)}\n`);
    else process.stderr.write(`${result.error.message}\n`);
    return 1;
  }
  const { config } = result;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, source: config.source, hash: config.hash, providers: config.providers.map((p) => p.id), models: config.models.map((m) => m.id) }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${config.source}: OK (hash ${config.hash.slice(0, 12)})\n\n`);
  process.stdout.write(`${formatTable(
    ['model', 'provider', 'upstream', 'tier', 'kind', 'fallbacks', 'price now (per 1M in/out)', 'since'],
    config.models.map((model) => {
      const price = priceAt(model.prices, new Date());
      return [model.id, model.provider, model.upstream, model.tier, model.kind, model.fallbacks.join(',') || '-',
        price ? `${price.currency === 'USD' ? '$' : '¥'}${price.input} / ${price.output}${price.tariff ? ' (peak)' : ''}` : 'unpriced', price?.since ?? '-'];
    }),
  )}\n`);
  return 0;
}
