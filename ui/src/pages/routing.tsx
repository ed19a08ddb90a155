import { useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { formatNumber, formatPercent } from '../format';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import type { Routing } from '../types';

/** Cost–quality frontier of the router, light/flagship mix and escalations per route, quality bars per scenario. */
export function RoutingPage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Routing>('/admin/dashboard/routing', rangeParams);
  return <Load result={result}>{(data) => <RoutingBody data={data} />}</Load>;
}

function RoutingBody({ data }: { data: Routing }) {
  const { t, locale } = useI18n();
  const requests = data.routes.reduce((sum, route) => sum + route.requests, 0);
  const light = data.routes.reduce((sum, route) => sum + route.light, 0);
  const tiered = data.routes.reduce((sum, route) => sum + route.light + route.flagship, 0);
  const cascaded = data.routes.reduce((sum, route) => sum + (route.cascade?.requests ?? 0), 0);
  const escalated = data.routes.reduce((sum, route) => sum + (route.cascade?.escalated ?? 0), 0);
  const quality = data.quality_kept;
  const frontierOption = useMemo(
    () => ({
      tooltip: { trigger: 'item' },
      legend: { top: 0 },
      grid: { left: 56, right: 24, top: 36, bottom: 44 },
      xAxis: { type: 'value', name: t('routing.relativeCost'), nameLocation: 'middle', nameGap: 28, min: 0, max: 1 },
      yAxis: { type: 'value', name: t('routing.qualityKept'), min: (value: { min: number }) => Math.floor(value.min * 20) / 20, max: 1 },
      series: data.frontier.flatMap((line) => [
        { name: line.route, type: 'line', symbolSize: 6, data: line.points.map((point) => [point.relative_cost, point.quality_kept]) },
        ...(line.current
          ? [{ name: `${line.route} · ${t('routing.current')}`, type: 'scatter', symbolSize: 16, data: [[line.current.relative_cost, line.current.quality_kept]] }]
          : []),
      ]),
    }),
    [data.frontier, t],
  );
  if (requests === 0 && data.frontier.length === 0) return <Empty />;
  return (
    <>
      <KpiRow label={t('routing.headline')}>
        <Kpi label={t('routing.requests')} value={formatNumber(requests, locale)} testId="kpi-routed" />
        <Kpi label={t('routing.lightShare')} value={formatPercent(tiered ? light / tiered : null, locale)} testId="kpi-light-share" />
        <Kpi label={t('routing.escalationRate')} value={formatPercent(cascaded ? escalated / cascaded : null, locale)} testId="kpi-escalation" sub={t('routing.escalated', { n: formatNumber(escalated, locale) })} />
        <Kpi
          label={t('overview.quality')}
          value={quality && quality.value !== null ? formatPercent(quality.value, locale) : '—'}
          testId="kpi-quality"
          sub={quality && quality.value !== null ? t('overview.qualityInterval', { low: formatPercent(quality.low, locale), high: formatPercent(quality.high, locale), n: formatNumber(quality.sample_size, locale) }) : t('overview.qualityNone')}
        />
        <Kpi label={t('routing.router')} value={data.router?.version ?? t('routing.noRouter')} testId="kpi-router" />
      </KpiRow>
      <section className="panel" aria-labelledby="frontier-heading">
        <h2 id="frontier-heading">{t('routing.frontier')}</h2>
        {data.frontier.length ? <Chart option={frontierOption} label={t('routing.frontierChart')} height={320} testId="chart-frontier" /> : <Empty>{t('routing.noFrontier')}</Empty>}
      </section>
      <DataTable
        caption={t('routing.byRoute')}
        testId="table-routes"
        rows={data.routes}
        rowKey={(route) => route.route}
        columns={[
          { key: 'route', header: t('col.route'), cell: (route) => route.route },
          { key: 'requests', header: t('col.requests'), numeric: true, cell: (route) => formatNumber(route.requests, locale) },
          { key: 'light', header: t('col.light'), numeric: true, cell: (route) => formatNumber(route.light, locale) },
          { key: 'flagship', header: t('col.flagshipTier'), numeric: true, cell: (route) => formatNumber(route.flagship, locale) },
          { key: 'lightShare', header: t('col.lightShare'), numeric: true, cell: (route) => formatPercent(route.light_share, locale) },
          { key: 'escalated', header: t('col.escalated'), numeric: true, cell: (route) => formatNumber(route.cascade?.escalated ?? 0, locale) },
          { key: 'escalationRate', header: t('col.escalationRate'), numeric: true, cell: (route) => formatPercent(route.cascade?.escalation_rate, locale) },
        ]}
      />
      <DataTable
        caption={t('routing.byScenario')}
        testId="table-scenarios"
        rows={data.scenarios}
        rowKey={(scenario) => scenario.scenario}
        columns={[
          { key: 'scenario', header: t('col.scenario'), cell: (row) => row.scenario },
          { key: 'requests', header: t('col.requests'), numeric: true, cell: (row) => formatNumber(row.requests, locale) },
          { key: 'lightShare', header: t('col.lightShare'), numeric: true, cell: (row) => formatPercent(row.light_share, locale) },
          { key: 'escalated', header: t('col.escalated'), numeric: true, cell: (row) => formatNumber(row.escalated ?? 0, locale) },
          { key: 'bar', header: t('col.qualityBar'), cell: (row) => (row.quality ? `${row.quality.metric} ${row.quality.optimize === 'min' ? '≤' : '≥'} ${formatNumber(row.quality.target, locale, 2)}` : '—') },
          {
            key: 'quality',
            header: t('col.qualityMeasured'),
            numeric: true,
            cell: (row) =>
              row.quality && row.quality.value !== null
                ? t('routing.measured', { value: formatNumber(row.quality.value, locale, 3), low: formatNumber(row.quality.low, locale, 3), high: formatNumber(row.quality.high, locale, 3), n: formatNumber(row.quality.sample_size, locale) })
                : '—',
          },
          { key: 'met', header: t('col.met'), cell: (row) => (row.quality?.met === true ? t('routing.met') : row.quality?.met === false ? t('routing.notMet') : '—') },
        ]}
      />
    </>
  );
}
