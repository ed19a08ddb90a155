import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { costOf } from '../pricing/cost.js';
import { presets } from '../providers/registry.js';
import type { ModelPrice } from '../providers/preset.js';
import { formatTable } from './table.js';

function count(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a whole number of tokens, got ${value}`);
  return parsed;
}

function findPrice(model: string, configFile: string | undefined): { price: ModelPrice | undefined; where: string } | undefined {
  const config = loadConfig({ file: configFile });
  const configured = config.models.find((candidate) => candidate.id === model);
  if (configured) return { price: configured.price, where: `config model ${configured.id} (${configured.provider})` };
  for (const preset of presets.values()) {
    const entry = preset.models.find((candidate) => candidate.id === model);
    if (entry) return { price: entry.price, where: `${preset.id} catalogue` };
  }
  return undefined;
}

/** tidegate cost: the same pricing code the gateway bills with, for a usage you name. */
export async function costCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, model: { type: 'string' }, input: { type: 'string' }, cached: { type: 'string' },
      output: { type: 'string' }, at: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (!values.model) throw new Error('usage: tidegate cost --model M [--input N] [--cached N] [--output N] [--json]');
  const input = count('input', values.input);
  const cached = count('cached', values.cached);
  const output = count('output', values.output);
  if (cached > input) throw new Error('--cached counts part of --input, so it cannot be larger');
  const found = findPrice(values.model, values.config);
  if (!found) throw new Error(`unknown model ${values.model}: not in the config nor in any preset catalogue`);
  const usage = { inputUncached: input - cached, cacheRead: cached, cacheWrite: 0, output, reasoning: 0, imageTokens: 0, estimated: false };
  const cost = costOf(found.price, usage);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ model: values.model, source: found.where, price_cny_per_million: found.price ?? null, tokens: { input, cached, output }, cost_cny: cost.cny, priced: cost.priced }, null, 2)}\n`);
    return 0;
  }
  const price = found.price;
  process.stdout.write(`${formatTable(['model', 'input', 'cached', 'output', 'cost (CNY)'], [[values.model, input, cached, output, cost.cny]])}\n`);
  process.stdout.write(price
    ? `\nprice per 1M tokens (${found.where}, since ${price.since}): input ¥${price.input}, cached ¥${price.cacheRead ?? price.input}, output ¥${price.output}\n`
    : `\n${values.model} has no price; it is billed 0 and marked unpriced.\n`);
  return 0;
}
