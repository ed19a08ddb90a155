import type { ModelConfig } from '../config/types.js';
import { priceAt } from '../pricing/price-book.js';
import { nextTariffChange, tariffAt, type TariffName } from '../pricing/tariff.js';
import { GatewayError } from '../errors/catalogue.js';

/** When deferred work should start, and why (stored with the job). */
export interface WindowPlan {
  readonly startAt: number;
  readonly tariff: TariffName | 'standard';
  readonly multiplier: number;
  readonly reason: string;
}

/** The last moment work may start and still finish: the deadline less twice the expected service time (at least a minute). */
export function latestStart(deadlineAt: number, serviceMs: number): number {
  return deadlineAt - Math.max(60_000, 2 * serviceMs);
}

/**
 * The cheapest moment to run work on `model` between now and its deadline: walks the price's tariff
 * windows (DeepSeek's peak/off-peak in Beijing time with the holiday calendar, pricing/tariff.ts) and picks
 * the earliest window with the lowest multiplier that still leaves time to finish. A model without a
 * time-of-day tariff runs now (the valley filler decides the exact moment). Throws deadline_unreachable when
 * even starting now cannot finish in time.
 */
export function planWindow(model: ModelConfig | undefined, now: number, deadlineAt: number, serviceMs: number): WindowPlan {
  const latest = latestStart(deadlineAt, serviceMs);
  if (latest < now) {
    throw new GatewayError('deadline_unreachable', `The deadline ${new Date(deadlineAt).toISOString()} leaves less than the expected service time (${Math.round(serviceMs / 1000)} s, doubled, at least 60 s); give a later x-tidegate-deadline.`, { param: 'x-tidegate-deadline' });
  }
  const version = model ? priceAt(model.prices, new Date(now)) : undefined;
  const schedule = version?.tariff?.schedule;
  if (!version || !schedule) return { startAt: now, tariff: 'standard', multiplier: 1, reason: 'no time-of-day tariff: run when the model has spare capacity' };
  const multipliers: Partial<Record<TariffName, number>> = version.tariff!.multipliers;
  let best: WindowPlan | undefined;
  let at = now;
  for (let step = 0; step < 1_000 && at <= latest; step++) {
    const { name, reason } = tariffAt(schedule, new Date(at));
    const multiplier = multipliers[name] ?? 1;
    if (!best || multiplier < best.multiplier) best = { startAt: at, tariff: name, multiplier, reason: `${name} ×${multiplier} from ${reason}` };
    at = nextTariffChange(schedule, new Date(at)).getTime();
  }
  return best!;
}
