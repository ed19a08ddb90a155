import type { Database } from './database.js';

export interface PriorityClassRow {
  priority: string;
  requests: number;
  shed: number;
  downgraded: number;
  queueMsAvg: number;
  queueMsMax: number;
}

/** Per priority class from the request log: requests, shed (429 from admission), downgrades, queue waits. */
export async function priorityReport(database: Database, since: number, until: number): Promise<PriorityClassRow[]> {
  const rows = await database.db
    .selectFrom('request_log')
    .select((eb) => [
      'priority',
      eb.fn.countAll<number | string>().as('requests'),
      eb.fn.sum<number | string>(eb.case().when('error_code', 'in', ['queue_full', 'queue_timeout']).then(1).else(0).end()).as('shed'),
      eb.fn.sum<number | string>(eb.case().when('priority_requested', 'is not', null).then(1).else(0).end()).as('downgraded'),
      eb.fn.avg<number | string>('queue_ms').as('queue_avg'),
      eb.fn.max('queue_ms').as('queue_max'),
    ])
    .where('created_at', '>=', since)
    .where('created_at', '<', until)
    .where('priority', 'is not', null)
    .groupBy('priority')
    .orderBy('priority')
    .execute();
  return rows.map((row) => ({
    priority: row.priority ?? 'unknown',
    requests: Number(row.requests),
    shed: Number(row.shed ?? 0),
    downgraded: Number(row.downgraded ?? 0),
    queueMsAvg: Math.round(Number(row.queue_avg ?? 0)),
    queueMsMax: Number(row.queue_max ?? 0),
  }));
}
