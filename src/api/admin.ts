import { periodsAt } from '../budgets/periods.js';
import { GatewayError } from '../errors/catalogue.js';
import { readJsonBody } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { sendJson } from '../http/respond.js';
import type { Route } from '../http/router.js';
import type { Services } from '../pipeline/services.js';
import { formatNanoCny, parseCnyToNano } from '../pricing/cost.js';
import { buildUsageReport, parseUsageGroup } from '../reports/usage.js';
import { routesReport } from './routes-report.js';
import { isPriorityClass } from '../scheduling/priority.js';
import type { ApiKeySummary, KeyLimits } from '../storage/index.js';

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${message}`, { param });
}

/** Limits in an admin body: budgets as CNY decimal strings or numbers, null to clear. */
function limitsFrom(body: Record<string, unknown>): Partial<KeyLimits> {
  const limits: Partial<KeyLimits> = {};
  const money = (field: string): number | null | undefined => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (value === null) return null;
    if ((typeof value === 'string' || typeof value === 'number') && /^\d+(\.\d{1,9})?$/.test(String(value))) return parseCnyToNano(String(value));
    throw invalid(field, 'expected an amount in CNY such as "5" or "12.50", or null');
  };
  const daily = money('daily_budget_cny');
  const monthly = money('monthly_budget_cny');
  if (daily !== undefined) limits.dailyBudgetNano = daily;
  if (monthly !== undefined) limits.monthlyBudgetNano = monthly;
  if (body.rpm !== undefined) {
    if (body.rpm !== null && (!Number.isInteger(body.rpm) || (body.rpm as number) < 1)) throw invalid('rpm', 'expected a positive integer or null');
    limits.rpm = body.rpm as number | null;
  }
  if (body.max_priority !== undefined) {
    if (body.max_priority !== null && !isPriorityClass(body.max_priority)) throw invalid('max_priority', 'expected interactive, standard, deferrable or null');
    limits.maxPriority = body.max_priority as KeyLimits['maxPriority'];
  }
  if (body.team !== undefined) {
    if (body.team !== null && (typeof body.team !== 'string' || body.team === '')) throw invalid('team', 'expected a team name or null');
    limits.team = body.team as string | null;
  }
  return limits;
}

/** The limit fields of a key body; a team's body has the same, less `team` (the team is named in the path). */
const KEY_LIMIT_FIELDS = ['team', 'daily_budget_cny', 'monthly_budget_cny', 'rpm', 'max_priority'] as const;
const TEAM_LIMIT_FIELDS = KEY_LIMIT_FIELDS.filter((field) => field !== 'team');

/**
 * An admin body as a JSON object with only the `accepted` fields. An unknown one is refused rather than ignored:
 * a misspelt limit (daily_budget for daily_budget_cny) would otherwise create a key without the limit meant.
 */
async function objectBody(exchange: Exchange, accepted: readonly string[]): Promise<Record<string, unknown>> {
  const body = await readJsonBody(exchange.request, 64 * 1024);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const unknown = Object.keys(body).find((field) => !accepted.includes(field));
  if (unknown !== undefined) throw invalid(unknown, `unknown field; accepted fields are ${accepted.join(', ')}`);
  return body as Record<string, unknown>;
}

function keyView(services: Services, key: ApiKeySummary) {
  const spend = services.budgets.guard.report(`key:${key.id}`);
  const money = (nano: number | null) => (nano === null ? null : formatNanoCny(nano));
  return {
    id: key.id, name: key.name, prefix: key.prefix, team: key.team,
    daily_budget_cny: money(key.dailyBudgetNano), monthly_budget_cny: money(key.monthlyBudgetNano), rpm: key.rpm, max_priority: key.maxPriority,
    spent_today_cny: spend ? formatNanoCny(spend.spentTodayNano) : null,
    spent_month_cny: spend ? formatNanoCny(spend.spentMonthNano) : null,
    reserved_cny: spend ? formatNanoCny(spend.reservedNano) : null,
    created_at: key.createdAt, last_used_at: key.lastUsedAt, revoked_at: key.revokedAt,
  };
}

/** 201 with the key as GET /admin/keys shows it, plus the secret, which is returned only here. */
async function createKey(services: Services, exchange: Exchange): Promise<void> {
  const body = await objectBody(exchange, ['name', ...KEY_LIMIT_FIELDS]);
  if (typeof body.name !== 'string' || body.name.trim() === '') throw invalid('name', 'expected a non-empty string');
  const name = body.name.trim();
  // privacy.keys policies name keys, so a second active key of the same name would be ambiguous (as in the CLI).
  if ((await services.keys.list()).some((key) => key.revokedAt === null && key.name === name)) {
    throw invalid('name', `an active key is already named "${name}"; revoke it first or choose another name`);
  }
  const created = await services.keys.create(name, limitsFrom(body));
  sendJson(exchange.response, 201, { ...keyView(services, { ...created, revokedAt: null, lastUsedAt: null }), key: created.key });
}

async function updateKey(services: Services, exchange: Exchange): Promise<void> {
  const id = exchange.params.id ?? '';
  if (!(await services.keys.update(id, limitsFrom(await objectBody(exchange, KEY_LIMIT_FIELDS))))) throw new GatewayError('not_found', `No active key ${id}.`);
  const key = (await services.keys.list()).find((candidate) => candidate.id === id || candidate.prefix === id);
  sendJson(exchange.response, 200, key ? keyView(services, key) : { id });
}

async function revokeKey(services: Services, exchange: Exchange): Promise<void> {
  const id = exchange.params.id ?? '';
  if (!(await services.keys.revoke(id))) throw new GatewayError('not_found', `No active key ${id}.`);
  sendJson(exchange.response, 200, { id, revoked: true });
}

async function setTeam(services: Services, exchange: Exchange): Promise<void> {
  const { team: _ignored, ...limits } = limitsFrom(await objectBody(exchange, TEAM_LIMIT_FIELDS));
  sendJson(exchange.response, 200, await services.keys.setTeam(exchange.params.name ?? '', limits));
}

async function recentRequests(services: Services, exchange: Exchange): Promise<void> {
  const limit = Math.min(1000, Math.max(1, Number(exchange.url.searchParams.get('limit') ?? 100) || 100));
  const apiKeyId = exchange.url.searchParams.get('key') ?? undefined;
  sendJson(exchange.response, 200, { object: 'list', data: await services.requestLog.recent({ limit, apiKeyId }) });
}

/** GET /admin/usage?group=key|model|provider|scenario|day|tier&since=YYYY-MM-DD&until=YYYY-MM-DD (Beijing days) */
async function usage(services: Services, exchange: Exchange): Promise<void> {
  const params = exchange.url.searchParams;
  let group;
  try {
    group = parseUsageGroup(params.get('group'));
  } catch (error) {
    throw invalid('group', (error as Error).message);
  }
  const day = (name: string, fallback: number) => {
    const value = params.get(name);
    if (value === null) return fallback;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw invalid(name, 'expected a date YYYY-MM-DD (Beijing time)');
    return Date.parse(`${value}T00:00:00+08:00`);
  };
  const now = Date.now();
  const since = day('since', periodsAt(now).monthStart);
  const until = day('until', periodsAt(now).dayEnd);
  const rows = await services.requestLog.usage({ group, since, until, apiKeyId: params.get('key') ?? undefined });
  sendJson(exchange.response, 200, buildUsageReport(group, since, until, rows));
}

/** /admin/*: needs the admin key (or open mode on loopback). */
export const adminRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/admin/keys',
    access: 'admin',
    handler: async (services, exchange) => {
      const keys = await services.keys.list();
      await services.budgets.guard.refresh?.(keys.map((key) => `key:${key.id}`)); // a cluster's shared ledger
      sendJson(exchange.response, 200, { object: 'list', data: keys.map((key) => keyView(services, key)) });
    },
  },
  { method: 'POST', path: '/admin/keys', access: 'admin', handler: createKey },
  { method: 'PATCH', path: '/admin/keys/:id', access: 'admin', handler: updateKey },
  { method: 'DELETE', path: '/admin/keys/:id', access: 'admin', handler: revokeKey },
  { method: 'GET', path: '/admin/teams', access: 'admin', handler: async (services, exchange) => sendJson(exchange.response, 200, { object: 'list', data: await services.keys.listTeams() }) },
  { method: 'PUT', path: '/admin/teams/:name', access: 'admin', handler: setTeam },
  { method: 'GET', path: '/admin/usage', access: 'admin', handler: usage },
  { method: 'GET', path: '/admin/routes', access: 'admin', handler: routesReport },
  { method: 'GET', path: '/admin/requests', access: 'admin', handler: recentRequests },
  { method: 'GET', path: '/admin/circuits', access: 'admin', handler: (services, exchange) => sendJson(exchange.response, 200, { object: 'list', data: services.breakers.snapshot() }) },
];
