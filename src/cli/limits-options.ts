import { parseCnyToNano } from '../pricing/cost.js';
import type { KeyLimits } from '../storage/index.js';
import { isPriorityClass } from '../scheduling/priority.js';
import { UsageError } from './usage-error.js';

/** Keys only: the most urgent class a key may use (--max-priority standard). */
export const keyOnlyOptions = { 'max-priority': { type: 'string' } } as const;

/** CLI options shared by keys and teams: --daily-budget CNY, --monthly-budget CNY, --rpm N, --team T ("none" clears). */
export const limitOptions = {
  team: { type: 'string' },
  'daily-budget': { type: 'string' },
  'monthly-budget': { type: 'string' },
  rpm: { type: 'string' },
} as const;

function amount(flag: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  try {
    return parseCnyToNano(value);
  } catch {
    throw new UsageError(`--${flag} takes an amount in CNY such as 5 or 12.50 (or "none"), got ${value}`);
  }
}

export function limitsFromOptions(values: Record<string, string | boolean | undefined>): Partial<KeyLimits> {
  const limits: Partial<KeyLimits> = {};
  const daily = amount('daily-budget', values['daily-budget'] as string | undefined);
  const monthly = amount('monthly-budget', values['monthly-budget'] as string | undefined);
  if (daily !== undefined) limits.dailyBudgetNano = daily;
  if (monthly !== undefined) limits.monthlyBudgetNano = monthly;
  const rpm = values.rpm as string | undefined;
  if (rpm !== undefined) {
    if (rpm === 'none') limits.rpm = null;
    else if (/^\d+$/.test(rpm) && Number(rpm) > 0) limits.rpm = Number(rpm);
    else throw new UsageError(`--rpm takes a positive whole number (or "none"), got ${rpm}`);
  }
  const team = values.team as string | undefined;
  if (team !== undefined) limits.team = team === 'none' ? null : team;
  const maxPriority = values['max-priority'] as string | undefined;
  if (maxPriority !== undefined) {
    if (maxPriority !== 'none' && !isPriorityClass(maxPriority)) throw new UsageError(`--max-priority takes interactive, standard or deferrable (or "none"), got ${maxPriority}`);
    limits.maxPriority = maxPriority === 'none' ? null : maxPriority;
  }
  return limits;
}

export function describeLimit(nano: number | null): string {
  return nano === null ? '-' : `¥${nano / 1e9}`;
}
