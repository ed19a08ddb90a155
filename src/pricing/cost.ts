import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelPrice } from '../providers/preset.js';
import { priceAt } from './price-book.js';
import { tariffAt, type TariffName } from './tariff.js';

export type ChargeTariff = TariffName | 'batch';

/** What one call cost and how it was priced; every field goes on the ledger row. */
export interface Cost {
  /** Cost in nano-yuan (1e-9 CNY): an integer, summed exactly in the ledger. */
  readonly nanoCny: number;
  /** Decimal string in CNY, e.g. "0.000123". */
  readonly cny: string;
  readonly priced: boolean;
  /** Start date of the price version used, or undefined when unpriced. */
  readonly priceSince: string | undefined;
  readonly tariff: ChargeTariff;
  /** The tariff's multiplier of the list price (1, 0.5 off-peak or batch, 0.25 …). */
  readonly multiplier: number;
  readonly currency: 'CNY' | 'USD' | undefined;
  /** CNY per USD used, for USD-priced models. */
  readonly usdToCny: number | undefined;
}

export interface PricingContext {
  /** The moment the call was made; prices and tariffs are those in force then. */
  readonly at: Date;
  readonly usdToCny: number;
  /** Sent through a provider batch API. */
  readonly batch?: boolean;
}

/**
 * Price per token in pico-yuan (1e-12 CNY), rounded to an integer: exact for every CNY list price
 * (they have at most six decimals per million tokens) and within 1e-12 CNY per token for USD ones.
 */
function pico(pricePerMillion: number | undefined, fallback: number, rate: number): number {
  return pricePerMillion === undefined ? fallback : Math.round(pricePerMillion * rate * 1e6);
}

/** The list price's tariff at that moment: time of day, or batch. */
export function tariffFor(version: ModelPrice, context: PricingContext): { tariff: ChargeTariff; multiplier: number } {
  if (context.batch) return { tariff: 'batch', multiplier: version.batch ?? 1 };
  if (!version.tariff) return { tariff: 'standard', multiplier: 1 };
  const { name } = tariffAt(version.tariff.schedule, context.at);
  const multipliers: Partial<Record<TariffName, number>> = version.tariff.multipliers;
  return { tariff: name, multiplier: multipliers[name] ?? 1 };
}

/**
 * Cost of one call from the dated catalogue. Uncached input, cache reads, cache writes, output and
 * reasoning are priced apart (cache prices fall back to the input price, reasoning to output); the
 * tariff multiplies the whole; integer arithmetic throughout, rounded once to nano-yuan.
 */
export function costOf(prices: readonly ModelPrice[], usage: NormalizedUsage, context: PricingContext): Cost {
  const version = priceAt(prices, context.at);
  if (!version) {
    return { nanoCny: 0, cny: '0', priced: false, priceSince: undefined, tariff: 'standard', multiplier: 1, currency: undefined, usdToCny: undefined };
  }
  const rate = version.currency === 'USD' ? context.usdToCny : 1;
  const input = pico(version.input, 0, rate);
  const output = pico(version.output, 0, rate);
  const reasoningApart = version.reasoning !== undefined;
  const picoTotal =
    usage.inputUncached * input +
    usage.cacheRead * pico(version.cacheRead, input, rate) +
    usage.cacheWrite * pico(version.cacheWrite, input, rate) +
    (reasoningApart ? (usage.output - usage.reasoning) * output + usage.reasoning * pico(version.reasoning, output, rate) : usage.output * output);
  const { tariff, multiplier } = tariffFor(version, context);
  const nanoCny = Math.round((picoTotal * multiplier) / 1000);
  return {
    nanoCny,
    cny: formatNanoCny(nanoCny),
    priced: true,
    priceSince: version.since,
    tariff,
    multiplier,
    currency: version.currency,
    usdToCny: version.currency === 'USD' ? context.usdToCny : undefined,
  };
}

export function formatNanoCny(nano: number): string {
  const negative = nano < 0;
  const digits = String(Math.abs(Math.round(nano))).padStart(10, '0');
  const whole = digits.slice(0, -9).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(-9).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Parse a CNY decimal string ("12.5", "0.000001") into nano-yuan without floating point. */
export function parseCnyToNano(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not an amount in CNY (up to 9 decimals)`);
  return Number(match[1]) * 1e9 + Number((match[2] ?? '').padEnd(9, '0'));
}
