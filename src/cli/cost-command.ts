import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import type { GatewayConfig, ModelConfig } from '../config/types.js';
import { Pricer } from '../pricing/pricer.js';
import { priceAt } from '../pricing/price-book.js';
import { parseSizeHint } from '../pricing/image-size.js';
import { imageTokens, visionFamilyFor } from '../pricing/vision-tokens.js';
import { presets } from '../providers/registry.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

export const usage = `usage: tidegate cost --model M [--input N] [--cached N] [--output N] [--reasoning N] [--image WxH]... [--detail low|high]
                     [--at ISO-8601] [--batch] [--config FILE] [--json]
  tokens and CNY for a usage at a moment, with the gateway's pricing code. Token counts are whole numbers
  up to ${Number.MAX_SAFE_INTEGER}; --cached is part of --input and --reasoning part of --output.
`;

/** Digits only, and no larger than a double holds exactly: beyond that the count would be silently rounded. */
function count(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed)) {
    throw new UsageError(`--${name} must be a whole number of tokens from 0 to ${Number.MAX_SAFE_INTEGER}, got ${value}`);
  }
  return parsed;
}

/** ISO-8601 moment; a date or a time without an offset is read as Beijing time. */
export function parseMoment(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const withTime = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00` : text;
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(withTime) ? withTime : `${withTime}+08:00`;
  const at = new Date(withZone);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--at must be an ISO-8601 date or time, got ${text}`);
  return at;
}

/** A configured model, or a preset catalogue entry priced as if configured. */
function findModel(config: GatewayConfig, id: string): { model: ModelConfig; preset: string } | undefined {
  const configured = config.models.find((candidate) => candidate.id === id);
  if (configured) return { model: configured, preset: config.providers.find((provider) => provider.id === configured.provider)?.preset ?? configured.provider };
  for (const preset of presets.values()) {
    const entry = preset.models.find((candidate) => candidate.id === id);
    if (entry) {
      return {
        preset: preset.id,
        model: { id, provider: preset.id, upstream: id, tier: entry.tier, kind: entry.kind, fallbacks: [], vision: entry.vision ?? false, tools: entry.tools ?? false, contextWindow: entry.contextWindow, prices: entry.prices },
      };
    }
  }
  return undefined;
}

/** tidegate cost: tokens and CNY for a usage at a moment, from the code the gateway bills with. */
export async function costCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, model: { type: 'string' }, input: { type: 'string' }, cached: { type: 'string' },
      output: { type: 'string' }, reasoning: { type: 'string' }, image: { type: 'string', multiple: true },
      detail: { type: 'string' }, at: { type: 'string' }, batch: { type: 'boolean' }, json: { type: 'boolean' },
    },
  });
  if (!values.model) throw new UsageError('--model M is required');
  const config = loadConfig({ file: values.config });
  const found = findModel(config, values.model);
  if (!found) throw new UsageError(`unknown model ${values.model}: not in the config nor in any preset catalogue`);
  const at = parseMoment(values.at);
  const input = count('input', values.input);
  const cached = count('cached', values.cached);
  const output = count('output', values.output);
  const reasoning = count('reasoning', values.reasoning);
  if (cached > input) throw new UsageError('--cached counts part of --input, so it cannot be larger');
  if (reasoning > output) throw new UsageError('--reasoning counts part of --output, so it cannot be larger');

  const family = visionFamilyFor(found.preset, found.model.upstream);
  if (values.detail !== undefined && values.detail !== 'low' && values.detail !== 'high') throw new UsageError(`--detail takes low or high, got ${values.detail}`);
  const detail = values.detail;
  const images = (values.image ?? []).map((hint) => {
    const size = parseSizeHint(hint);
    if (!size) throw new UsageError(`--image must be WIDTHxHEIGHT, each 1 to 999999 pixels, got ${hint}`);
    if (!family) throw new Error(`${values.model} has no image token rule (not a vision model family)`);
    return { hint, ...imageTokens(family, size, detail ? { detail } : {}) };
  });
  const imageTotal = images.reduce((sum, image) => sum + image.tokens, 0);
  const usage = { inputUncached: input - cached + imageTotal, cacheRead: cached, cacheWrite: 0, output, reasoning, imageTokens: imageTotal, estimated: false };
  const pricer = new Pricer(config);
  const cost = pricer.cost(found.model, usage, at, values.batch === true);
  // Nano-yuan past 2^53 would be printed rounded (or in exponent notation), which is no price at all.
  if (!Number.isSafeInteger(Math.round(cost.nanoCny))) throw new UsageError('the token counts are too large to price exactly; give smaller counts');
  const version = priceAt(found.model.prices, at);
  const perImage = images.map((image) => {
    const one = pricer.cost(found.model, { ...usage, inputUncached: image.tokens, cacheRead: 0, output: 0, reasoning: 0, imageTokens: image.tokens }, at, values.batch === true);
    return { ...image, cost_cny: one.cny, images_per_yuan: one.nanoCny > 0 ? Math.floor(1e9 / one.nanoCny) : null };
  });

  if (values.json) {
    process.stdout.write(`${JSON.stringify({
      model: values.model, at: at.toISOString(),
      tokens: { input: input + imageTotal, cached, output, reasoning, image: imageTotal },
      images: perImage.map((image) => ({ size: image.hint, tokens: image.tokens, rule: image.rule, cost_cny: image.cost_cny, images_per_yuan: image.images_per_yuan })),
      price: version ?? null, tariff: cost.tariff, multiplier: cost.multiplier, usd_to_cny: cost.usdToCny ?? null,
      cost_cny: cost.cny, priced: cost.priced,
    }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${formatTable(['model', 'at (Beijing)', 'input', 'cached', 'output', 'image', 'tariff', 'cost (CNY)'], [[
    values.model, beijing(at), input + imageTotal, cached, output, imageTotal, cost.multiplier === 1 ? cost.tariff : `${cost.tariff} ×${cost.multiplier}`, cost.cny,
  ]])}\n`);
  if (perImage.length > 0) {
    process.stdout.write(`\n${formatTable(['image', 'tokens', 'cost (CNY)', 'images per yuan', 'rule'], perImage.map((image) => [image.hint, image.tokens, image.cost_cny, image.images_per_yuan ?? '-', image.rule]))}\n`);
  }
  process.stdout.write(version
    ? `\nprice per 1M tokens since ${version.since} (${version.source}): input ${version.currency} ${version.input}, cached ${version.cacheRead ?? version.input}, output ${version.output}${cost.usdToCny ? `, at ¥${cost.usdToCny}/$` : ''}\n`
    : `\n${values.model} had no price on ${beijing(at).slice(0, 10)}; it is billed 0 and marked unpriced.\n`);
  return 0;
}

function beijing(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}
