import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { fenFromCny, formatMoney, formatMs, formatNumber, formatPercent } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { usePrefs } from '../prefs';
import type { Overview, OverviewLine } from '../types';

const SOURCES: ReadonlyArray<{ field: keyof OverviewLine['savings_by_source_cny']; label: MessageKey; onTop: boolean }> = [
  { field: 'routing', label: 'source.routing', onTop: false },
  { field: 'cache', label: 'source.cache', onTop: false },
  { field: 'semantic_cache', label: 'source.semantic', onTop: false },
  { field: 'provider_cache', label: 'source.provider', onTop: true },
  { field: 'off_peak', label: 'source.offPeak', onTop: true },
  { field: 'batch', label: 'source.batch', onTop: true },
];

/** Spend against always-flagship, savings by source, quality kept, requests and latency, per day. */
export function OverviewPage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Overview>('/admin/dashboard/overview', rangeParams);
  return <Load result={result}>{(data) => <OverviewBody data={data} />}</Load>;
}

function OverviewBody({ data }: { data: Overview }) {
  const { t, locale } = useI18n();
  const { total, days } = data;
  const money = (value: string | undefined) => formatMoney(value, locale);
  const flagshipFen = fenFromCny(total.flagship_equivalent_cny);
  const savedShare = flagshipFen > 0 ? fenFromCny(total.savings_cny) / flagshipFen : null;
  const quality = data.quality_kept;
  const sources = SOURCES.filter((source) => total.savings_by_source_cny[source.field] !== undefined);
  const dailyOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: days.map((day) => day.day) },
      yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      series: [
        { name: t('overview.series.spend'), type: 'line', data: days.map((day) => fenFromCny(day.spend_cny) / 100), areaStyle: { opacity: 0.15 }, symbolSize: 5 },
        { name: t('overview.series.flagship'), type: 'line', data: days.map((day) => fenFromCny(day.flagship_equivalent_cny) / 100), lineStyle: { type: 'dashed' }, symbolSize: 5 },
      ],
    }),
    [days, t],
  );
  const sourceOption = useMemo(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 120, right: 24, top: 8, bottom: 28 },
      xAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      yAxis: { type: 'category', inverse: true, data: sources.map((source) => t(source.label)) },
      series: [{ type: 'bar', data: sources.map((source) => fenFromCny(total.savings_by_source_cny[source.field] ?? '0') / 100), barMaxWidth: 22 }],
    }),
    [sources, t, total],
  );
  if (total.requests === 0) return <Empty />;
  return (
    <>
      <KpiRow label={t('overview.headline')}>
        <Kpi label={t('overview.spend')} value={money(total.spend_cny)} testId="kpi-spend" />
        <Kpi label={t('overview.flagship')} value={money(total.flagship_equivalent_cny)} testId="kpi-flagship" sub={t('overview.estimated')} />
        <Kpi label={t('overview.saved')} value={money(total.savings_cny)} testId="kpi-saved" tone="good" sub={t('overview.savedShare', { pct: formatPercent(savedShare, locale) })} />
        <Kpi
          label={t('overview.quality')}
          testId="kpi-quality"
          value={quality && quality.value !== null ? formatPercent(quality.value, locale) : '—'}
          sub={
            quality && quality.value !== null ? (
              <span data-testid="kpi-quality-detail">
                {t('overview.qualityInterval', { low: formatPercent(quality.low, locale), high: formatPercent(quality.high, locale), n: formatNumber(quality.sample_size, locale) })}
              </span>
            ) : (
              t('overview.qualityNone')
            )
          }
        />
        <Kpi label={t('overview.requests')} value={formatNumber(total.requests, locale)} testId="kpi-requests" sub={t('overview.errorRate', { pct: formatPercent(total.requests ? total.errors / total.requests : null, locale, 2) })} />
        <Kpi
          label={t('overview.latency')}
          testId="kpi-latency"
          value={formatMs(total.latency_ms.p50, locale)}
          sub={t('overview.latencyDetail', { p90: formatMs(total.latency_ms.p90, locale), p99: formatMs(total.latency_ms.p99, locale) })}
        />
      </KpiRow>
      <div className="panels">
        <section className="panel panel-wide" aria-labelledby="daily-heading">
          <h2 id="daily-heading">{t('overview.daily')}</h2>
          <Chart option={dailyOption} label={t('overview.dailyChart')} testId="chart-daily" height={340} />
        </section>
        <section className="panel" aria-labelledby="sources-heading">
          <h2 id="sources-heading">{t('overview.bySource')}</h2>
          <Chart option={sourceOption} label={t('overview.bySourceChart')} height={200} />
          <ul className="source-list">
            {sources.map((source) => (
              <li key={source.field}>
                <span>
                  {t(source.label)}
                  {source.onTop && <sup aria-hidden="true">*</sup>}
                </span>
                <span data-testid={`source-${source.field}`}>{money(total.savings_by_source_cny[source.field])}</span>
              </li>
            ))}
          </ul>
          <p className="note">* {t('overview.onTop')}</p>
        </section>
      </div>
      <DataTable
        caption={t('overview.dailyTable')}
        testId="table-days"
        rows={days}
        rowKey={(day) => day.day}
        footer={{ day: t('table.total'), ...total }}
        columns={[
          { key: 'day', header: t('col.day'), cell: (day) => day.day },
          { key: 'requests', header: t('col.requests'), numeric: true, cell: (day) => formatNumber(day.requests, locale) },
          { key: 'errors', header: t('col.errors'), numeric: true, cell: (day) => formatNumber(day.errors, locale) },
          { key: 'spend', header: t('col.spend'), numeric: true, cell: (day) => money(day.spend_cny) },
          { key: 'flagship', header: t('col.flagship'), numeric: true, cell: (day) => money(day.flagship_equivalent_cny) },
          { key: 'saved', header: t('col.saved'), numeric: true, cell: (day) => money(day.savings_cny) },
          { key: 'p90', header: t('col.latencyP90'), numeric: true, cell: (day) => formatMs(day.latency_ms.p90, locale) },
        ]}
      />
    </>
  );
}
