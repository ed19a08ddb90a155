import { useId } from 'react';
import { useApi } from '../api';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { cnyFromFen, fenFromCny, formatDateTime, formatMoney, formatNumber } from '../format';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import { useLocation } from '../router';
import type { Batches } from '../types';

const STATUSES = ['validating', 'in_progress', 'finalizing', 'completed', 'failed', 'expired', 'cancelling', 'cancelled'] as const;

/** Batch jobs across keys with their lines and savings, plus deferred single requests. */
export function BatchesPage() {
  const { search, path, navigate } = useLocation();
  const status = search.get('status') ?? '';
  const cursor = search.get('cursor');
  const result = useApi<Batches>('/admin/dashboard/batches', { status, cursor, limit: 50 });
  const setParam = (name: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'cursor') next.delete('cursor');
    navigate(path, next);
  };
  return <Load result={result}>{(data) => <BatchesBody data={data} status={status} setParam={setParam} paged={cursor !== null} />}</Load>;
}

function BatchesBody({ data, status, setParam, paged }: { data: Batches; status: string; setParam(name: string, value: string | null): void; paged: boolean }) {
  const { t, locale } = useI18n();
  const { timeZone } = usePrefs();
  const selectId = useId();
  const count = (record: Record<string, number>, ...names: string[]) => names.reduce((sum, name) => sum + (record[name] ?? 0), 0);
  const saved = cnyFromFen(data.data.reduce((sum, batch) => sum + fenFromCny(batch.saved_cny), 0));
  const money = (value: string) => formatMoney(value, locale);
  return (
    <>
      <KpiRow label={t('batches.headline')}>
        <Kpi label={t('batches.running')} value={formatNumber(count(data.counts.batches, 'validating', 'in_progress', 'finalizing'), locale)} testId="kpi-batches-running" />
        <Kpi label={t('batches.completed')} value={formatNumber(count(data.counts.batches, 'completed'), locale)} testId="kpi-batches-completed" />
        <Kpi label={t('batches.queuedJobs')} value={formatNumber(count(data.counts.jobs, 'queued'), locale)} testId="kpi-jobs-queued" sub={t('batches.upstreamJobs', { n: formatNumber(count(data.counts.jobs, 'upstream'), locale) })} />
        <Kpi label={t('batches.deferred')} value={formatNumber(count(data.deferred.counts, 'queued'), locale)} testId="kpi-deferred" sub={t('batches.overdue', { n: formatNumber(data.deferred.overdue, locale) })} tone={data.deferred.overdue > 0 ? 'bad' : undefined} />
        <Kpi label={t('batches.savedShown')} value={money(saved)} testId="kpi-batches-saved" tone="good" />
      </KpiRow>
      <div className="toolbar">
        <label htmlFor={selectId}>{t('batches.status')}</label>
        <select id={selectId} value={status} onChange={(event) => setParam('status', event.target.value)}>
          <option value="">{t('requests.any')}</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
      </div>
      {data.data.length === 0 ? (
        <Empty>{t('batches.none')}</Empty>
      ) : (
        <DataTable
          caption={t('batches.table')}
          testId="table-batches"
          rows={data.data}
          rowKey={(row) => row.id}
          columns={[
            { key: 'id', header: t('col.batchId'), cell: (row) => <code>{row.id}</code> },
            { key: 'key', header: t('col.key'), cell: (row) => row.key_name ?? row.key_id ?? '—' },
            { key: 'status', header: t('col.state'), cell: (row) => <span className={`badge badge-${row.status}`}>{row.status}</span> },
            { key: 'created', header: t('col.created'), cell: (row) => formatDateTime(row.created_at, locale, timeZone) },
            { key: 'deadline', header: t('col.deadline'), cell: (row) => formatDateTime(row.deadline, locale, timeZone) },
            { key: 'lines', header: t('col.lines'), numeric: true, cell: (row) => t('batches.lineSplit', { done: formatNumber(count(row.lines, 'succeeded', 'failed'), locale), total: formatNumber(row.total, locale) }) },
            { key: 'providers', header: t('col.providerBatches'), cell: (row) => row.provider_batches.map((batch) => `${batch.provider}: ${batch.upstream_status ?? batch.status}`).join(', ') || '—' },
            { key: 'cost', header: t('col.cost'), numeric: true, cell: (row) => money(row.cost_cny) },
            { key: 'saved', header: t('col.saved'), numeric: true, cell: (row) => money(row.saved_cny) },
          ]}
        />
      )}
      <div className="pager">
        {paged && (
          <button type="button" onClick={() => setParam('cursor', null)}>
            {t('requests.firstPage')}
          </button>
        )}
        {data.next_cursor && (
          <button type="button" onClick={() => setParam('cursor', data.next_cursor)}>
            {t('requests.nextPage')}
          </button>
        )}
      </div>
    </>
  );
}
