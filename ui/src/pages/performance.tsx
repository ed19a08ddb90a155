import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatMs, formatNumber, type Locale } from '../format';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import type { Percentiles, Performance, PerformanceLine } from '../types';

/** Latency, time to first token and gateway overhead percentiles, from merged histogram buckets. */
export function PerformancePage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Performance>('/admin/dashboard/performance', { ...rangeParams, interval: 'day' });
  return <Load result={result}>{(data) => <PerformanceBody data={data} />}</Load>;
}

const triple = (value: Percentiles, locale: Locale) => `${formatMs(value.p50, locale)} / ${formatMs(value.p90, locale)} / ${formatMs(value.p99, locale)}`;

function PerformanceBody({ data }: { data: Performance }) {
  const { t, locale } = useI18n();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: data.series.map((point) => point.label) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value} ms' } },
      series: [
        { name: t('performance.latencyP50'), type: 'line', data: data.series.map((point) => point.latency_ms.p50) },
        { name: t('performance.latencyP90'), type: 'line', data: data.series.map((point) => point.latency_ms.p90) },
        { name: t('performance.latencyP99'), type: 'line', data: data.series.map((point) => point.latency_ms.p99) },
        { name: t('performance.ttftP90'), type: 'line', lineStyle: { type: 'dashed' }, data: data.series.map((point) => point.ttft_ms.p90) },
      ],
    }),
    [data.series, t],
  );
  if (data.total.requests === 0) return <Empty />;
  const columns = <Row extends PerformanceLine>(first: Column<Row>): Array<Column<Row>> => [
    first,
    { key: 'requests', header: t('col.requests'), numeric: true, cell: (row) => formatNumber(row.requests, locale) },
    { key: 'latency', header: t('col.latencyTriple'), numeric: true, cell: (row) => triple(row.latency_ms, locale) },
    { key: 'ttft', header: t('col.ttftTriple'), numeric: true, cell: (row) => triple(row.ttft_ms, locale) },
    { key: 'overhead', header: t('col.overheadTriple'), numeric: true, cell: (row) => triple(row.overhead_ms, locale) },
  ];
  const { total } = data;
  return (
    <>
      <KpiRow label={t('performance.headline')}>
        <Kpi label={t('performance.latency')} value={formatMs(total.latency_ms.p90, locale)} testId="kpi-latency-p90" sub={t('performance.p50p99', { p50: formatMs(total.latency_ms.p50, locale), p99: formatMs(total.latency_ms.p99, locale) })} />
        <Kpi label={t('performance.ttft')} value={formatMs(total.ttft_ms.p90, locale)} testId="kpi-ttft-p90" sub={t('performance.p50p99', { p50: formatMs(total.ttft_ms.p50, locale), p99: formatMs(total.ttft_ms.p99, locale) })} />
        <Kpi label={t('performance.overhead')} value={formatMs(total.overhead_ms.p90, locale)} testId="kpi-overhead-p90" sub={t('performance.p50p99', { p50: formatMs(total.overhead_ms.p50, locale), p99: formatMs(total.overhead_ms.p99, locale) })} />
        <Kpi label={t('overview.requests')} value={formatNumber(total.requests, locale)} testId="kpi-requests" />
      </KpiRow>
      <section className="panel" aria-labelledby="perf-chart-heading">
        <h2 id="perf-chart-heading">{t('performance.overTime')}</h2>
        <Chart option={option} label={t('performance.overTimeChart')} />
      </section>
      <p className="note">{t('performance.note')}</p>
      <DataTable caption={t('performance.byModel')} testId="table-perf-models" rows={data.by_model} rowKey={(row) => `${row.provider}/${row.model}`} columns={columns<Performance['by_model'][number]>({ key: 'model', header: t('col.model'), cell: (row) => row.model })} />
      <DataTable caption={t('performance.byProvider')} testId="table-perf-providers" rows={data.by_provider} rowKey={(row) => row.provider} columns={columns<Performance['by_provider'][number]>({ key: 'provider', header: t('col.provider'), cell: (row) => row.provider })} />
    </>
  );
}
