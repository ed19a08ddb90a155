import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable, type Column } from '../components/table';
import { formatMoney, formatNumber, formatPercent } from '../format';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import type { Cache, CacheLine } from '../types';

/** Exact, semantic and provider caches kept apart: hit rates, tokens not sent, money saved. */
export function CachePage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Cache>('/admin/dashboard/cache', rangeParams);
  return <Load result={result}>{(data) => <CacheBody data={data} />}</Load>;
}

function CacheBody({ data }: { data: Cache }) {
  const { t, locale } = useI18n();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', valueFormatter: (value: number) => `${(value * 100).toFixed(1)}%` },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: data.days.map((day) => day.day) },
      yAxis: { type: 'value', axisLabel: { formatter: (value: number) => `${Math.round(value * 100)}%` } },
      series: [
        { name: t('cache.exact'), type: 'line', data: data.days.map((day) => day.exact.hit_rate) },
        { name: t('cache.semantic'), type: 'line', data: data.days.map((day) => day.semantic.hit_rate) },
        { name: t('cache.provider'), type: 'line', lineStyle: { type: 'dashed' }, data: data.days.map((day) => day.provider.token_hit_rate) },
      ],
    }),
    [data.days, t],
  );
  const { total } = data;
  if (total.requests === 0) return <Empty />;
  const money = (value: string) => formatMoney(value, locale);
  const columns = <Row extends CacheLine>(first: Column<Row>): Array<Column<Row>> => [
    first,
    { key: 'requests', header: t('col.requests'), numeric: true, cell: (row) => formatNumber(row.requests, locale) },
    { key: 'exact', header: t('col.exactHitRate'), numeric: true, cell: (row) => formatPercent(row.exact.hit_rate, locale) },
    { key: 'exactSaved', header: t('col.exactSaved'), numeric: true, cell: (row) => money(row.exact.saved_cny) },
    { key: 'semantic', header: t('col.semanticHitRate'), numeric: true, cell: (row) => formatPercent(row.semantic.hit_rate, locale) },
    { key: 'semanticSaved', header: t('col.semanticSaved'), numeric: true, cell: (row) => money(row.semantic.saved_cny) },
    { key: 'provider', header: t('col.providerHitRate'), numeric: true, cell: (row) => formatPercent(row.provider.token_hit_rate, locale) },
    { key: 'providerSaved', header: t('col.providerSaved'), numeric: true, cell: (row) => money(row.provider.saved_cny) },
  ];
  return (
    <>
      <KpiRow label={t('cache.headline')}>
        <Kpi label={t('cache.exact')} value={formatPercent(total.exact.hit_rate, locale)} testId="kpi-exact-rate" sub={t('cache.hitsSaved', { hits: formatNumber(total.exact.hits, locale), saved: money(total.exact.saved_cny) })} />
        <Kpi label={t('cache.semantic')} value={formatPercent(total.semantic.hit_rate, locale)} testId="kpi-semantic-rate" sub={t('cache.hitsSaved', { hits: formatNumber(total.semantic.hits, locale), saved: money(total.semantic.saved_cny) })} />
        <Kpi label={t('cache.provider')} value={formatPercent(total.provider.token_hit_rate, locale)} testId="kpi-provider-rate" sub={t('cache.providerSaved', { tokens: formatNumber(total.provider.cached_tokens, locale), saved: money(total.provider.saved_cny) })} />
        <Kpi label={t('cache.exactSaved')} value={money(total.exact.saved_cny)} testId="kpi-exact-saved" />
        <Kpi label={t('cache.semanticSaved')} value={money(total.semantic.saved_cny)} testId="kpi-semantic-saved" />
        <Kpi label={t('cache.providerSavedTotal')} value={money(total.provider.saved_cny)} testId="kpi-provider-saved" />
      </KpiRow>
      <p className="note">{t('cache.note', { eligible: formatNumber(total.eligible, locale) })}</p>
      <section className="panel" aria-labelledby="cache-chart-heading">
        <h2 id="cache-chart-heading">{t('cache.overTime')}</h2>
        <Chart option={option} label={t('cache.overTimeChart')} />
      </section>
      <DataTable caption={t('cache.byModel')} testId="table-cache-models" rows={data.by_model} rowKey={(row) => row.model} columns={columns<Cache['by_model'][number]>({ key: 'model', header: t('col.model'), cell: (row) => row.model })} />
      <DataTable caption={t('cache.byDay')} testId="table-cache-days" rows={data.days} rowKey={(row) => row.day} columns={columns<Cache['days'][number]>({ key: 'day', header: t('col.day'), cell: (row) => row.day })} />
    </>
  );
}
