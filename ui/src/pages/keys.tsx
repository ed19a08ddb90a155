import { useId, useMemo, useState } from 'react';
import { useApi } from '../api';
import { Chart } from '../charts/chart';
import { Kpi, KpiRow } from '../components/kpi';
import { Empty, Load } from '../components/states';
import { DataTable } from '../components/table';
import { cnyFromFen, fenFromCny, formatMoney, formatNumber, formatPercent } from '../format';
import { useI18n } from '../i18n';
import type { BudgetHolder, Keys } from '../types';

/** Keys and teams with their budgets, spend (Beijing days and months, as enforced), held reservations, burn-down. */
export function KeysPage() {
  const result = useApi<Keys>('/admin/dashboard/keys');
  return <Load result={result}>{(data) => <KeysBody data={data} />}</Load>;
}

function Used({ holder }: { holder: BudgetHolder }) {
  const { locale } = useI18n();
  if (holder.monthly_budget_cny === null) return <>—</>;
  const budget = fenFromCny(holder.monthly_budget_cny);
  const share = budget > 0 ? fenFromCny(holder.spent_month_cny) / budget : null;
  return (
    <span className="meter-cell">
      <meter min={0} max={1} low={0.7} high={0.9} optimum={0} value={Math.min(1, share ?? 0)} aria-hidden="true" />
      {formatPercent(share, locale, 1)}
    </span>
  );
}

function KeysBody({ data }: { data: Keys }) {
  const { t, locale } = useI18n();
  const selectId = useId();
  const withBudget = data.keys.filter((key) => key.monthly_budget_cny !== null || key.burn_down.length > 0);
  const [selected, setSelected] = useState(withBudget[0]?.id ?? '');
  const money = (value: string | null) => formatMoney(value, locale);
  const sum = (pick: (holder: BudgetHolder) => string) => cnyFromFen(data.keys.reduce((total, key) => total + fenFromCny(pick(key)), 0));
  const key = data.keys.find((candidate) => candidate.id === selected);
  const option = useMemo(
    () =>
      key && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 64, right: 16, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: key.burn_down.map((day) => day.day) },
        yAxis: { type: 'value', axisLabel: { formatter: '¥{value}' } },
        series: [
          {
            name: t('keys.cumulative'),
            type: 'line',
            areaStyle: { opacity: 0.15 },
            data: key.burn_down.map((day) => fenFromCny(day.cumulative_cny) / 100),
            ...(key.monthly_budget_cny !== null ? { markLine: { symbol: 'none', label: { formatter: t('keys.budgetLine'), position: 'insideEndTop' }, data: [{ yAxis: fenFromCny(key.monthly_budget_cny) / 100 }] } } : {}),
          },
          ...(key.monthly_budget_cny !== null ? [{ name: t('keys.remaining'), type: 'line', lineStyle: { type: 'dashed' }, data: key.burn_down.map((day) => (day.remaining_cny === null ? null : fenFromCny(day.remaining_cny) / 100)) }] : []),
        ],
      },
    [key, t],
  );
  if (data.keys.length === 0) return <Empty>{t('keys.none')}</Empty>;
  return (
    <>
      <KpiRow label={t('keys.headline')}>
        <Kpi label={t('keys.activeKeys')} value={formatNumber(data.keys.filter((item) => !item.revoked).length, locale)} testId="kpi-keys" />
        <Kpi label={t('keys.spentMonth', { month: data.month })} value={money(sum((holder) => holder.spent_month_cny))} testId="kpi-spent-month" />
        <Kpi label={t('keys.spentToday')} value={money(sum((holder) => holder.spent_today_cny))} testId="kpi-spent-today" />
        <Kpi label={t('keys.reserved')} value={money(sum((holder) => holder.reserved_cny))} testId="kpi-reserved" sub={t('keys.reservedNote')} />
      </KpiRow>
      <DataTable
        caption={t('keys.keysTable')}
        testId="table-keys"
        rows={data.keys}
        rowKey={(row) => row.id}
        columns={[
          { key: 'name', header: t('col.name'), cell: (row) => (row.revoked ? `${row.name} (${t('keys.revoked')})` : row.name) },
          { key: 'prefix', header: t('col.prefix'), cell: (row) => <code>{row.prefix}</code> },
          { key: 'team', header: t('col.team'), cell: (row) => row.team ?? '—' },
          { key: 'today', header: t('col.spentToday'), numeric: true, cell: (row) => money(row.spent_today_cny) },
          { key: 'daily', header: t('col.dailyBudget'), numeric: true, cell: (row) => money(row.daily_budget_cny) },
          { key: 'month', header: t('col.spentMonth'), numeric: true, cell: (row) => money(row.spent_month_cny) },
          { key: 'monthly', header: t('col.monthlyBudget'), numeric: true, cell: (row) => money(row.monthly_budget_cny) },
          { key: 'used', header: t('col.used'), numeric: true, cell: (row) => <Used holder={row} /> },
          { key: 'remaining', header: t('col.remaining'), numeric: true, cell: (row) => money(row.remaining_month_cny) },
          { key: 'reserved', header: t('col.reserved'), numeric: true, cell: (row) => money(row.reserved_cny) },
        ]}
      />
      {withBudget.length > 0 && option && (
        <section className="panel" aria-labelledby="burn-heading">
          <div className="panel-head">
            <h2 id="burn-heading">{t('keys.burnDown')}</h2>
            <span className="toolbar">
              <label htmlFor={selectId}>{t('keys.pickKey')}</label>
              <select id={selectId} value={selected} onChange={(event) => setSelected(event.target.value)}>
                {withBudget.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name}
                  </option>
                ))}
              </select>
            </span>
          </div>
          <Chart option={option} label={t('keys.burnDownChart', { name: key?.name ?? '' })} />
        </section>
      )}
      {data.teams.length > 0 && (
        <DataTable
          caption={t('keys.teamsTable')}
          testId="table-teams"
          rows={data.teams}
          rowKey={(row) => row.name}
          columns={[
            { key: 'name', header: t('col.team'), cell: (row) => row.name },
            { key: 'keys', header: t('col.keys'), numeric: true, cell: (row) => formatNumber(row.keys.length, locale) },
            { key: 'today', header: t('col.spentToday'), numeric: true, cell: (row) => money(row.spent_today_cny) },
            { key: 'month', header: t('col.spentMonth'), numeric: true, cell: (row) => money(row.spent_month_cny) },
            { key: 'monthly', header: t('col.monthlyBudget'), numeric: true, cell: (row) => money(row.monthly_budget_cny) },
            { key: 'used', header: t('col.used'), numeric: true, cell: (row) => <Used holder={row} /> },
            { key: 'remaining', header: t('col.remaining'), numeric: true, cell: (row) => money(row.remaining_month_cny) },
            { key: 'reserved', header: t('col.reserved'), numeric: true, cell: (row) => money(row.reserved_cny) },
          ]}
        />
      )}
    </>
  );
}
