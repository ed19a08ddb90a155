import type { ModelPrice } from '../providers/preset.js';
import { beijingParts } from './tariff.js';

/** The price version in force at a moment: the latest whose Beijing start date is not after it. */
export function priceAt(prices: readonly ModelPrice[], at: Date): ModelPrice | undefined {
  const day = beijingParts(at).date;
  let found: ModelPrice | undefined;
  for (const version of prices) if (version.since <= day) found = version;
  return found;
}

/** A stable name for a price version, stored on ledger rows: "<model>@<since>". */
export function priceVersionId(model: string, version: ModelPrice | undefined): string | null {
  return version ? `${model}@${version.since}` : null;
}
