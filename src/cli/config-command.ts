import { parseArgs } from 'node:util';
import { checkConfig, type GatewayConfig } from '../config/index.js';
import { priceAt } from '../pricing/price-book.js';
import { formatTable } from './table.js';

export const usage = `usage: tidegate config check [FILE]... [--config FILE] [--json]
  validate config files (default ./tidegate.yaml); every file given is checked, exit 1 when any has a problem
`;

type CheckResult = ReturnType<typeof checkConfig>;

function jsonResult(file: string | undefined, result: CheckResult): Record<string, unknown> {
  if (!result.ok) return { ok: false, ...(file === undefined ? {} : { file }), problems: result.error.problems };
  const { config } = result;
  return { ok: true, source: config.source, hash: config.hash, providers: config.providers.map((p) => p.id), models: config.models.map((m) => m.id) };
}

function printModels(config: GatewayConfig): void {
  process.stdout.write(`${config.source}: OK (hash ${config.hash.slice(0, 12)})\n\n`);
  process.stdout.write(`${formatTable(
    ['model', 'provider', 'upstream', 'tier', 'kind', 'fallbacks', 'price now (per 1M in/out)', 'since'],
    config.models.map((model) => {
      const price = priceAt(model.prices, new Date());
      return [model.id, model.provider, model.upstream, model.tier, model.kind, model.fallbacks.join(',') || '-',
        price ? `${price.currency === 'USD' ? '$' : '¥'}${price.input} / ${price.output}${price.tariff ? ' (peak)' : ''}` : 'unpriced', price?.since ?? '-'];
    }),
  )}\n`);
}

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'check') {
    process.stderr.write(usage);
    return 2;
  }
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string' }, json: { type: 'boolean' } } });
  // A deploy step checks all its files in one go, so each is checked and reported, not just the first.
  const files: Array<string | undefined> = positionals.length > 0 ? positionals : [values.config];
  const results = files.map((file) => ({ file, result: checkConfig(file) }));
  const ok = results.every(({ result }) => result.ok);
  if (values.json) {
    const reports = results.map(({ file, result }) => jsonResult(file, result));
    // One file keeps the single-object shape scripts already read.
    process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : { ok, files: reports }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  results.forEach(({ result }, index) => {
    if (index > 0) process.stdout.write('\n');
    if (result.ok) printModels(result.config);
    else process.stderr.write(`${result.error.message}\n`);
  });
  return ok ? 0 : 1;
}
