import type { Database } from './database.js';

/** A team groups keys (api_keys.team) under budgets of its own; null means no limit. */
export interface TeamLimits {
  name: string;
  dailyBudgetNano: number | null;
  monthlyBudgetNano: number | null;
  rpm: number | null;
}

/** Creates the team or changes the limits given (others keep their value). */
export async function setTeamLimits(database: Database, limits: Partial<TeamLimits> & { name: string }, now = Date.now()): Promise<TeamLimits> {
  const existing = await getTeamLimits(database, limits.name);
  const merged: TeamLimits = {
    name: limits.name,
    dailyBudgetNano: limits.dailyBudgetNano !== undefined ? limits.dailyBudgetNano : existing?.dailyBudgetNano ?? null,
    monthlyBudgetNano: limits.monthlyBudgetNano !== undefined ? limits.monthlyBudgetNano : existing?.monthlyBudgetNano ?? null,
    rpm: limits.rpm !== undefined ? limits.rpm : existing?.rpm ?? null,
  };
  const row = { daily_budget_nano: merged.dailyBudgetNano, monthly_budget_nano: merged.monthlyBudgetNano, rpm: merged.rpm, updated_at: now };
  await database.db
    .insertInto('teams')
    .values({ name: merged.name, ...row })
    .onConflict((conflict) => conflict.column('name').doUpdateSet(row))
    .execute();
  return merged;
}

export async function getTeamLimits(database: Database, name: string): Promise<TeamLimits | undefined> {
  const row = await database.db.selectFrom('teams').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? { name: row.name, dailyBudgetNano: row.daily_budget_nano, monthlyBudgetNano: row.monthly_budget_nano, rpm: row.rpm } : undefined;
}

export async function listTeams(database: Database): Promise<TeamLimits[]> {
  const rows = await database.db.selectFrom('teams').selectAll().orderBy('name').execute();
  return rows.map((row) => ({ name: row.name, dailyBudgetNano: row.daily_budget_nano, monthlyBudgetNano: row.monthly_budget_nano, rpm: row.rpm }));
}

/** Total billed since a moment, for one key or every key of a team (budgets reload it at start-up). */
export async function spendSince(database: Database, scope: { keyId: string } | { team: string }, since: number): Promise<number> {
  let query = database.db
    .selectFrom('request_log')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('cost_nano_cny'), eb.lit(0)).as('total'))
    .where('created_at', '>=', since);
  query = 'keyId' in scope
    ? query.where('api_key_id', '=', scope.keyId)
    : query.where('api_key_id', 'in', (eb) => eb.selectFrom('api_keys').select('id').where('team', '=', scope.team));
  const row = await query.executeTakeFirstOrThrow();
  return Number(row.total);
}
