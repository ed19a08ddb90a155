import { GatewayError } from '../errors/catalogue.js';

/** Request classes, most urgent first. Deferrable work is accepted as a job and run later (src/batch/). */
export const PRIORITY_CLASSES = ['interactive', 'standard', 'deferrable'] as const;
export type PriorityClass = (typeof PRIORITY_CLASSES)[number];

const rank: Record<PriorityClass, number> = { interactive: 0, standard: 1, deferrable: 2 };

export function isPriorityClass(value: unknown): value is PriorityClass {
  return typeof value === 'string' && (PRIORITY_CLASSES as readonly string[]).includes(value);
}

/** A scenario's defaults (config `scenarios:`). */
export interface ScenarioDefaults {
  readonly priority?: PriorityClass;
  readonly deadlineHours?: number;
}

/** The class a request runs in, and the class it asked for when its key's entitlement lowered it. */
export interface ResolvedPriority {
  readonly priority: PriorityClass;
  readonly downgradedFrom: PriorityClass | undefined;
  /** Where the class came from, for the log: header, scenario or default. */
  readonly source: 'header' | 'scenario' | 'default';
}

/** Reads x-tidegate-priority; an unknown value is a 400 with a stable code, never silently ignored. */
export function parsePriorityHeader(value: string | string[] | undefined): PriorityClass | undefined {
  if (value === undefined || value === '') return undefined;
  const text = (Array.isArray(value) ? value[0] ?? '' : value).trim().toLowerCase();
  if (isPriorityClass(text)) return text;
  throw new GatewayError('invalid_priority', `x-tidegate-priority: expected interactive, standard or deferrable, got ${JSON.stringify(text.slice(0, 40))}.`, { param: 'x-tidegate-priority' });
}

/**
 * The class of a request: the header, else the scenario's default, else standard; then clamped to the key's
 * entitlement (a key capped at standard asking for interactive runs as standard and is told so).
 */
export function resolvePriority(requested: PriorityClass | undefined, scenario: ScenarioDefaults | undefined, cap: PriorityClass | null | undefined): ResolvedPriority {
  const source = requested ? 'header' : scenario?.priority ? 'scenario' : 'default';
  const wanted = requested ?? scenario?.priority ?? 'standard';
  if (cap && rank[wanted] < rank[cap]) return { priority: cap, downgradedFrom: wanted, source };
  return { priority: wanted, downgradedFrom: undefined, source };
}

/** The response header value: "standard; downgraded-from=interactive". */
export function priorityHeader(priority: PriorityClass, downgradedFrom: PriorityClass | undefined): string {
  return downgradedFrom ? `${priority}; downgraded-from=${downgradedFrom}` : priority;
}

const HOUR_MS = 3_600_000;

/**
 * x-tidegate-deadline as an epoch-ms instant: an ISO-8601 instant, or a duration from now ("8h", "90m", "3600s").
 * Without the header, the scenario's deadlineHours; else undefined (the caller applies its own default).
 */
export function parseDeadline(value: string | string[] | undefined, now: number, scenario?: ScenarioDefaults): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (text === undefined || text === '') return scenario?.deadlineHours === undefined ? undefined : now + scenario.deadlineHours * HOUR_MS;
  const duration = /^(\d+(?:\.\d+)?)\s*(h|m|s)$/i.exec(text);
  let at: number;
  if (duration) {
    const unit = { h: HOUR_MS, m: 60_000, s: 1000 }[duration[2]!.toLowerCase() as 'h' | 'm' | 's'];
    at = now + Number(duration[1]) * unit;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(text)) at = Date.parse(text);
  else at = Number.NaN;
  if (!Number.isFinite(at)) {
    throw new GatewayError('invalid_deadline', `x-tidegate-deadline: expected an ISO-8601 instant (2026-11-29T08:00:00+08:00) or a duration (8h, 90m), got ${JSON.stringify(text.slice(0, 60))}.`, { param: 'x-tidegate-deadline' });
  }
  if (at <= now) throw new GatewayError('invalid_deadline', 'x-tidegate-deadline is not in the future.', { param: 'x-tidegate-deadline' });
  return Math.round(at);
}

export function priorityRank(priority: PriorityClass): number {
  return rank[priority];
}
