import { useId, useMemo } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { fenFromCny, formatMoney, formatNumber, formatPercent } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { usePrefs } from '../prefs';
import { useLocation } from '../router';
import type { Usage, UsageGroup, UsageLine } from '../types';

const GROUPS: ReadonlyArray<{ group: UsageGroup; label: MessageKey; column: MessageKey }> = [
  { group: 'key', label: 'usage.byKey', column: 'col.key' },
  { group: 'model', label: 'usage.byModel', column: 'col.model' },
  { group: 'provider', label: 'usage.byProvider', column: 'col.provider' },
  { group: 'scenario', label: 'usage.byScenario', column: 'col.scenario' },
  { group: 'day', label: 'usage.byDay', column: 'col.day' },
];

/** The savings report of `tidegate usage`, grouped by key, model, provider, scenario or day. */
export function UsagePage() {
  const { rangeParams } = usePrefs();
  const result = useApi<Usage>('/admin/dashboard/usage', rangeParams);
  return <Load result={result}>{(data) => <UsageBody data={data} />}</Load>;
}

function UsageBody({ data }: { data: Usage }) {
  const { t, locale } = useI18n();
  const { search, path, navigate } = useLocation();
  const selectId = useId();
  const requested = search.get('group');
  const entry = GROUPS.find((candidate) => candidate.group === requested) ?? GROUPS[1]!;
  const group = entry.group;
  const report = data[`by_${group}`];
  const money = (value: string) => formatMoney(value, locale);
  const name = (row: UsageLine) => (group === 'key' && data.keys[row.group] ? `${data.keys[row.group]!.name} (${data.keys[row.group]!.prefix})` : row.group);
  const top = useMemo(() => [...report.rows].sort((a, b) => fenFromCny(b.spend_cny) - fenFromCny(a.spend_cny)).slice(0, 12), [report]);
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 150, right: 24, top: 36, bottom: 28 },
      xAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
      yAxis: { type: 'category', inverse: true, data: top.map(name) },
      series: [
        { name: t('col.spend'), type: 'bar', data: top.map((row) => fenFromCny(row.spend_cny) / 100), barMaxWidth: 18 },
        { name: t('col.saved'), type: 'bar', data: top.map((row) => fenFromCny(row.savings_cny) / 100), barMaxWidth: 18 },
      ],
    }),
    [top, t], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const total = data.total;
  return (
    <>
      <KpiRow label={t('usage.headline')}>
        <Kpi label={t('overview.spend')} value={money(total.spend_cny)} testId="kpi-spend" />
        <Kpi label={t('overview.flagship')} value={money(total.flagship_equivalent_cny)} testId="kpi-flagship" sub={t('overview.estimated')} />
        <Kpi label={t('overview.saved')} value={money(total.savings_cny)} testId="kpi-saved" tone="good" sub={t('overview.savedShare', { pct: formatPercent(total.savings_share, locale) })} />
        <Kpi label={t('overview.requests')} value={formatNumber(total.requests, locale)} testId="kpi-requests" />
        <Kpi
          label={t('usage.tokens')}
          value={formatNumber(total.input_tokens + total.output_tokens, locale)}
          testId="kpi-tokens"
          sub={t('usage.tokenSplit', { input: formatNumber(total.input_tokens, locale), cached: formatNumber(total.cached_tokens, locale), output: formatNumber(total.output_tokens, locale) })}
        />
      </KpiRow>
      <div className="toolbar">
        <label htmlFor={selectId}>{t('usage.groupBy')}</label>
        <select
          id={selectId}
          value={group}
          data-testid="usage-group"
          onChange={(event) => {
            const next = new URLSearchParams(search);
            next.set('group', event.target.value);
            navigate(path, next, { replace: true });
          }}
        >
          {GROUPS.map((option) => (
            <option key={option.group} value={option.group}>
              {t(option.label)}
            </option>
          ))}
        </select>
      </div>
      {report.rows.length === 0 ? (
        <Empty />
      ) : (
        <>
          <section className="panel" aria-labelledby="usage-chart-heading">
            <h2 id="usage-chart-heading">{t('usage.topSpend')}</h2>
            <Chart option={option} label={t('usage.topSpendChart')} height={Math.max(160, 40 + top.length * 30)} />
          </section>
          <DataTable
            caption={t(entry.label)}
            testId="table-usage"
            rows={report.rows}
            rowKey={(row) => row.group}
            footer={{ ...report.total, group: t('table.total') }}
            columns={[
              { key: 'group', header: t(entry.column), cell: (row) => (row.group === t('table.total') ? row.group : name(row)) },
              { key: 'requests', header: t('col.requests'), numeric: true, cell: (row) => formatNumber(row.requests, locale) },
              { key: 'errors', header: t('col.errors'), numeric: true, cell: (row) => formatNumber(row.errors, locale) },
              { key: 'tokens', header: t('col.tokens'), numeric: true, cell: (row) => formatNumber(row.input_tokens + row.output_tokens, locale) },
              { key: 'spend', header: t('col.spend'), numeric: true, cell: (row) => money(row.spend_cny) },
              { key: 'flagship', header: t('col.flagship'), numeric: true, cell: (row) => money(row.flagship_equivalent_cny) },
              { key: 'saved', header: t('col.saved'), numeric: true, cell: (row) => money(row.savings_cny) },
              { key: 'share', header: t('col.savedShare'), numeric: true, cell: (row) => formatPercent(row.savings_share, locale) },
              { key: 'light', header: t('col.lightShare'), numeric: true, cell: (row) => formatPercent(row.light_share, locale) },
            ]}
          />
        </>
      )}
    </>
  );
}
