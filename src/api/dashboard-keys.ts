import { periodsAt } from '../budgets/periods.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Services } from '../pipeline/services.js';
import { formatNanoCny } from '../pricing/cost.js';
import { spendByKeyAndDay } from '../rollups/key-spend.js';
import { dashboardStore, invalid, query } from './dashboard-params.js';

const MAX_KEYS = 1_000;
const DAY_MS = 86_400_000;
const money = (nano: number | null) => (nano === null ? null : formatNanoCny(nano));

/** The Beijing days of a month up to (and including) `lastDay`. */
function monthDays(monthStart: number, end: number): string[] {
  const days: string[] = [];
  for (let at = monthStart; at < end; at += DAY_MS) days.push(periodsAt(at).day);
  return days;
}

function burnDown(days: readonly string[], spend: ReadonlyMap<string, number> | undefined, budget: number | null) {
  let cumulative = 0;
  return days.map((day) => {
    const spent = spend?.get(day) ?? 0;
    cumulative += spent;
    return { day, spent_cny: formatNanoCny(spent), cumulative_cny: formatNanoCny(cumulative), remaining_cny: budget === null ? null : formatNanoCny(budget - cumulative) };
  });
}

/**
 * GET /admin/dashboard/keys?month=YYYY-MM: per key and team, budgets, spend today and this month (keys rollup plus the
 * request log for hours not yet rolled up, exact), holds in flight now (the budget guard), and a daily burn-down.
 * Budgets run on Beijing days.
 */
export async function keysPage(services: Services, exchange: Exchange): Promise<void> {
  const database = dashboardStore(services);
  const now = Date.now();
  const current = periodsAt(now);
  const month = query(exchange).get('month') ?? current.month;
  const start = /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? Date.parse(`${month}-01T00:00:00+08:00`) : NaN;
  if (!Number.isFinite(start)) throw invalid('month', 'expected a month YYYY-MM (Beijing time)');
  if (start > now) throw invalid('month', 'must not be in the future');
  const monthEnd = periodsAt(start).monthEnd;
  const end = Math.min(monthEnd, current.dayEnd);
  const days = monthDays(start, end);
  const isCurrent = month === current.month;

  const spend = await spendByKeyAndDay(database, start, Math.min(monthEnd, now));
  const keys = (await services.keys.list()).filter((key) => key.revokedAt === null || spend.has(key.id)).slice(0, MAX_KEYS);
  const scopes = [...keys.map((key) => `key:${key.id}`), ...new Set(keys.filter((key) => key.team !== null).map((key) => `team:${key.team}`))];
  await services.budgets.guard.refresh?.(scopes); // the shared ledger in cluster mode
  const reserved = (scope: string) => services.budgets.guard.report(scope)?.reservedNano ?? 0;
  const total = (days: ReadonlyMap<string, number> | undefined) => [...(days?.values() ?? [])].reduce((sum, nano) => sum + nano, 0);
  const today = (days: ReadonlyMap<string, number> | undefined) => (isCurrent ? (days?.get(current.day) ?? 0) : 0);

  const teamSpend = new Map<string, Map<string, number>>();
  for (const key of keys) {
    if (key.team === null) continue;
    const into = teamSpend.get(key.team) ?? new Map<string, number>();
    for (const [day, nano] of spend.get(key.id) ?? []) into.set(day, (into.get(day) ?? 0) + nano);
    teamSpend.set(key.team, into);
  }
  const teamLimits = new Map((await services.keys.listTeams()).map((team) => [team.name, team]));
  const teamNames = [...new Set([...teamLimits.keys(), ...teamSpend.keys()])].sort();

  sendJson(exchange.response, 200, {
    month,
    now: new Date(now).toISOString(),
    days,
    keys: keys.map((key) => {
      const days_ = spend.get(key.id);
      const spent = total(days_);
      return {
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        team: key.team,
        revoked: key.revokedAt !== null,
        daily_budget_cny: money(key.dailyBudgetNano),
        monthly_budget_cny: money(key.monthlyBudgetNano),
        spent_today_cny: formatNanoCny(today(days_)),
        spent_month_cny: formatNanoCny(spent),
        reserved_cny: formatNanoCny(isCurrent ? reserved(`key:${key.id}`) : 0),
        remaining_month_cny: key.monthlyBudgetNano === null ? null : formatNanoCny(key.monthlyBudgetNano - spent),
        burn_down: burnDown(days, days_, key.monthlyBudgetNano),
      };
    }),
    teams: teamNames.map((name) => {
      const limits = teamLimits.get(name);
      const days_ = teamSpend.get(name);
      const spent = total(days_);
      const monthly = limits?.monthlyBudgetNano ?? null;
      return {
        name,
        keys: keys.filter((key) => key.team === name).map((key) => key.id),
        daily_budget_cny: money(limits?.dailyBudgetNano ?? null),
        monthly_budget_cny: money(monthly),
        spent_today_cny: formatNanoCny(today(days_)),
        spent_month_cny: formatNanoCny(spent),
        reserved_cny: formatNanoCny(isCurrent ? reserved(`team:${name}`) : 0),
        remaining_month_cny: monthly === null ? null : formatNanoCny(monthly - spent),
        burn_down: burnDown(days, days_, monthly),
      };
    }),
  });
}
