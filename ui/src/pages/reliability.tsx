import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { formatNumber, formatPercent } from '../format';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import type { Reliability } from '../types';

/** Errors by code and per model, fallbacks and retries over time, and the circuit breakers now. */
export function ReliabilityPage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Reliability>('/admin/dashboard/reliability', rangeParams);
  return <Load result={result}>{(data) => <ReliabilityBody data={data} />}</Load>;
}

function ReliabilityBody({ data }: { data: Reliability }) {
  const { t, locale } = useI18n();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: data.series.map((day) => day.day) },
      yAxis: { type: 'value' },
      series: [
        { name: t('reliability.errors4xx'), type: 'bar', stack: 'errors', data: data.series.map((day) => day.errors_4xx) },
        { name: t('reliability.errors5xx'), type: 'bar', stack: 'errors', data: data.series.map((day) => day.errors_5xx) },
        { name: t('reliability.fallbacks'), type: 'line', data: data.series.map((day) => day.fallbacks) },
        { name: t('reliability.retries'), type: 'line', data: data.series.map((day) => day.retries) },
      ],
    }),
    [data.series, t],
  );
  const { total } = data;
  if (total.requests === 0 && data.circuits.length === 0) return <Empty />;
  return (
    <>
      <KpiRow label={t('reliability.headline')}>
        <Kpi label={t('reliability.errorRate')} value={formatPercent(total.error_rate, locale, 2)} testId="kpi-error-rate" sub={t('reliability.errorCount', { n: formatNumber(total.errors, locale), total: formatNumber(total.requests, locale) })} tone={total.error_rate !== null && total.error_rate > 0.05 ? 'bad' : undefined} />
        <Kpi label={t('reliability.fallbacks')} value={formatNumber(total.fallbacks, locale)} testId="kpi-fallbacks" />
        <Kpi label={t('reliability.retries')} value={formatNumber(total.retries, locale)} testId="kpi-retries" sub={t('reliability.retriedRequests', { n: formatNumber(total.retried_requests, locale) })} />
        <Kpi label={t('reliability.openCircuits')} value={formatNumber(data.circuits.filter((circuit) => circuit.state !== 'closed').length, locale)} testId="kpi-open-circuits" />
      </KpiRow>
      <section className="panel" aria-labelledby="rel-chart-heading">
        <h2 id="rel-chart-heading">{t('reliability.overTime')}</h2>
        <Chart option={option} label={t('reliability.overTimeChart')} />
      </section>
      <div className="panels">
        <DataTable
          caption={t('reliability.byCode')}
          testId="table-error-codes"
          rows={data.errors_by_code}
          rowKey={(row) => `${row.code}:${row.status}`}
          columns={[
            { key: 'code', header: t('col.errorCode'), cell: (row) => <code>{row.code}</code> },
            { key: 'status', header: t('col.status'), numeric: true, cell: (row) => row.status },
            { key: 'count', header: t('col.count'), numeric: true, cell: (row) => formatNumber(row.count, locale) },
          ]}
        />
        <DataTable
          caption={t('reliability.circuits')}
          testId="table-circuits"
          rows={data.circuits}
          empty={t('reliability.noCircuits')}
          rowKey={(row) => row.key}
          columns={[
            { key: 'key', header: t('col.target'), cell: (row) => row.key },
            { key: 'state', header: t('col.state'), cell: (row) => <span className={`badge badge-${row.state}`}>{t(row.state === 'open' ? 'circuit.open' : row.state === 'closed' ? 'circuit.closed' : 'circuit.halfOpen')}</span> },
            { key: 'failures', header: t('col.consecutiveFailures'), numeric: true, cell: (row) => formatNumber(row.consecutive_failures, locale) },
          ]}
        />
      </div>
      <DataTable
        caption={t('reliability.byModel')}
        testId="table-rel-models"
        rows={data.by_model}
        rowKey={(row) => `${row.provider}/${row.model}`}
        columns={[
          { key: 'model', header: t('col.model'), cell: (row) => row.model },
          { key: 'provider', header: t('col.provider'), cell: (row) => row.provider ?? '—' },
          { key: 'requests', header: t('col.requests'), numeric: true, cell: (row) => formatNumber(row.requests, locale) },
          { key: 'errors', header: t('col.errors'), numeric: true, cell: (row) => formatNumber(row.errors, locale) },
          { key: 'rate', header: t('reliability.errorRate'), numeric: true, cell: (row) => formatPercent(row.error_rate, locale, 2) },
          { key: 'fallbacks', header: t('reliability.fallbacks'), numeric: true, cell: (row) => formatNumber(row.fallbacks, locale) },
          { key: 'retries', header: t('reliability.retries'), numeric: true, cell: (row) => formatNumber(row.retries, locale) },
        ]}
      />
    </>
  );
}
