import type { NormalizedUsage } from '../canonical/usage.js';
import type { ModelPrice } from '../providers/preset.js';

/** CNY per 1M tokens → pico-yuan (1e-12 CNY) per token, an exact integer for every listed price. */
function picoPerToken(pricePerMillion: number | undefined): number {
  return Math.round((pricePerMillion ?? 0) * 1e6);
}

export interface Cost {
  /** Cost in nano-yuan (1e-9 CNY); integer, summed exactly in the ledger. */
  readonly nanoCny: number;
  /** Decimal string in CNY, e.g. "0.000123". */
  readonly cny: string;
  readonly priced: boolean;
}

/**
 * Cost of one call. Cache reads use the cached-input price (the input price when none is listed),
 * cache writes the write price (the input price when none is listed); reasoning is part of output.
 */
export function costOf(price: ModelPrice | undefined, usage: NormalizedUsage): Cost {
  if (!price) return { nanoCny: 0, cny: '0', priced: false };
  const input = picoPerToken(price.input);
  const pico =
    usage.inputUncached * input +
    usage.cacheRead * (price.cacheRead === undefined ? input : picoPerToken(price.cacheRead)) +
    usage.cacheWrite * (price.cacheWrite === undefined ? input : picoPerToken(price.cacheWrite)) +
    usage.output * picoPerToken(price.output);
  const nanoCny = Math.round(pico / 1000);
  return { nanoCny, cny: formatNanoCny(nanoCny), priced: true };
}

export function formatNanoCny(nano: number): string {
  const negative = nano < 0;
  const digits = String(Math.abs(Math.round(nano))).padStart(10, '0');
  const whole = digits.slice(0, -9).replace(/^0+(?=\d)/, '');
  const fraction = digits.slice(-9).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}
