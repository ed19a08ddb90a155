import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, useApi } from '../api';
import { Empty, ErrorState, Load, Loading } from '../components/states';
import { DataTable } from '../components/table';
import { formatDateTime, formatMoney, formatMs, formatNumber } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { usePrefs } from '../prefs';
import { useLocation } from '../router';
import type { RequestDetail, RequestList } from '../types';

const TEXT_FILTERS: ReadonlyArray<{ name: string; label: MessageKey }> = [
  { name: 'key', label: 'requests.filter.key' },
  { name: 'route', label: 'requests.filter.route' },
  { name: 'model', label: 'requests.filter.model' },
  { name: 'provider', label: 'requests.filter.provider' },
  { name: 'scenario', label: 'requests.filter.scenario' },
  { name: 'error_code', label: 'requests.filter.errorCode' },
];
const CHOICE_FILTERS: ReadonlyArray<{ name: string; label: MessageKey; values: readonly string[] }> = [
  { name: 'status_class', label: 'requests.filter.status', values: ['2xx', '4xx', '5xx'] },
  { name: 'cache', label: 'requests.filter.cache', values: ['hit', 'semantic-hit', 'miss', 'bypass'] },
];
const FILTER_NAMES = [...TEXT_FILTERS, ...CHOICE_FILTERS].map((filter) => filter.name);

/** The request explorer: filters run on the server; a request id opens its routing decision from any date. */
export function RequestsPage() {
  const { t } = useI18n();
  const { search, path, navigate } = useLocation();
  const { rangeParams } = usePrefs();
  const id = search.get('id');
  const filters = Object.fromEntries(FILTER_NAMES.map((name) => [name, search.get(name) ?? '']));
  const cursor = search.get('cursor');
  const list = useApi<RequestList>('/admin/dashboard/requests', { ...rangeParams, ...filters, cursor, limit: 50 });
  const setParams = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    navigate(path, next);
  };
  return (
    <>
      <Lookup current={id} onLookup={(value) => setParams({ id: value })} />
      {id && <Detail id={id} onClose={() => setParams({ id: null })} />}
      <Filters values={filters} onApply={(values) => setParams({ ...values, cursor: null })} />
      <h2>{t('requests.list')}</h2>
      <Load result={list}>
        {(data) => (data.data.length === 0 ? <Empty>{t('requests.none')}</Empty> : <RequestTable data={data} openId={(value) => setParams({ id: value })} page={(next) => setParams({ cursor: next })} paged={cursor !== null} />)}
      </Load>
    </>
  );
}

function Lookup({ current, onLookup }: { current: string | null; onLookup(id: string): void }) {
  const { t } = useI18n();
  const inputId = useId();
  const [value, setValue] = useState(current ?? '');
  useEffect(() => setValue(current ?? ''), [current]);
  return (
    <form
      className="toolbar"
      role="search"
      aria-label={t('requests.lookup')}
      onSubmit={(event) => {
        event.preventDefault();
        if (value.trim()) onLookup(value.trim());
      }}
    >
      <label htmlFor={inputId}>{t('requests.lookup')}</label>
      <input id={inputId} value={value} onChange={(event) => setValue(event.target.value)} placeholder={t('requests.lookupPlaceholder')} data-testid="lookup-input" size={40} />
      <button type="submit">{t('requests.lookupButton')}</button>
    </form>
  );
}

function Filters({ values, onApply }: { values: Record<string, string>; onApply(values: Record<string, string>): void }) {
  const { t } = useI18n();
  const [draft, setDraft] = useState(values);
  const valuesKey = JSON.stringify(values);
  useEffect(() => setDraft(values), [valuesKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  const set = (name: string, value: string) => setDraft({ ...draft, [name]: value });
  return (
    <form className="filters" onSubmit={submit} aria-label={t('requests.filters')}>
      {TEXT_FILTERS.map((filter) => (
        <label key={filter.name}>
          {t(filter.label)}
          <input value={draft[filter.name] ?? ''} onChange={(event) => set(filter.name, event.target.value)} name={filter.name} />
        </label>
      ))}
      {CHOICE_FILTERS.map((filter) => (
        <label key={filter.name}>
          {t(filter.label)}
          <select value={draft[filter.name] ?? ''} onChange={(event) => set(filter.name, event.target.value)} name={filter.name}>
            <option value="">{t('requests.any')}</option>
            {filter.values.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </label>
      ))}
      <div className="filter-actions">
        <button type="submit">{t('requests.apply')}</button>
        <button type="button" onClick={() => onApply(Object.fromEntries(FILTER_NAMES.map((name) => [name, ''])))}>
          {t('requests.clear')}
        </button>
      </div>
    </form>
  );
}

function RequestTable({ data, openId, page, paged }: { data: RequestList; openId(id: string): void; page(cursor: string | null): void; paged: boolean }) {
  const { t, locale } = useI18n();
  const { timeZone } = usePrefs();
  return (
    <>
      <DataTable
        caption={t('requests.tableCaption', { n: formatNumber(data.data.length, locale) })}
        testId="table-requests"
        rows={data.data}
        rowKey={(row) => row.id}
        columns={[
          {
            key: 'id',
            header: t('col.requestId'),
            cell: (row) => (
              <button type="button" className="link" onClick={() => openId(row.id)} title={t('requests.open', { id: row.id })}>
                <code>{row.id}</code>
              </button>
            ),
          },
          { key: 'time', header: t('col.time'), cell: (row) => formatDateTime(row.created_at, locale, timeZone) },
          { key: 'key', header: t('col.key'), cell: (row) => row.key_name ?? row.key_id ?? '—' },
          { key: 'route', header: t('col.route'), cell: (row) => row.route },
          { key: 'model', header: t('col.model'), cell: (row) => row.model ?? '—' },
          { key: 'tier', header: t('col.tier'), cell: (row) => row.tier ?? '—' },
          { key: 'status', header: t('col.status'), numeric: true, cell: (row) => (row.error_code ? `${row.status} ${row.error_code}` : row.status) },
          { key: 'cache', header: t('col.cache'), cell: (row) => row.cache },
          { key: 'cost', header: t('col.cost'), numeric: true, cell: (row) => formatMoney(row.cost_cny, locale) },
          { key: 'latency', header: t('col.latency'), numeric: true, cell: (row) => formatMs(row.latency_ms, locale) },
        ]}
      />
      <div className="pager">
        {paged && (
          <button type="button" onClick={() => page(null)}>
            {t('requests.firstPage')}
          </button>
        )}
        {data.next_cursor && (
          <button type="button" onClick={() => page(data.next_cursor)}>
            {t('requests.nextPage')}
          </button>
        )}
      </div>
    </>
  );
}

function Detail({ id, onClose }: { id: string; onClose(): void }) {
  const { t, locale } = useI18n();
  const { timeZone } = usePrefs();
  const result = useApi<RequestDetail>(`/admin/dashboard/requests/${encodeURIComponent(id)}`);
  const money = (value: string) => formatMoney(value, locale);
  let body;
  if (result.state === 'loading') body = <Loading />;
  else if (result.state === 'error')
    body =
      result.error instanceof ApiError && result.error.status === 404 ? (
        <p role="alert" data-testid="lookup-not-found">
          {t('requests.notFound', { id })}
        </p>
      ) : (
        <ErrorState error={result.error} retry={result.reload} />
      );
  else {
    const data = result.data;
    const rows: Array<[MessageKey, string]> = [
      ['detail.time', formatDateTime(data.created_at, locale, timeZone)],
      ['detail.key', data.key_name ?? data.key_id ?? '—'],
      ['detail.status', data.error_code ? `${data.status} ${data.error_code}` : String(data.status)],
      ['detail.requested', data.routing.requested],
      ['detail.served', `${data.routing.served ?? '—'} (${data.routing.provider ?? '—'}, ${data.routing.tier ?? '—'})`],
      ['detail.reason', data.routing.reason ?? '—'],
      ['detail.flagship', data.routing.flagship_model ?? '—'],
      ['detail.attempts', `${data.routing.attempts}${data.routing.fallback_used ? ` · ${t('detail.fallbackUsed')}` : ''}`],
      ['detail.cache', data.cache],
      ['detail.cost', money(data.cost.cost_cny)],
      ['detail.flagshipCost', money(data.cost.flagship_equivalent_cny)],
      ['detail.price', `${data.cost.price_version ?? '—'} · ${data.cost.tariff ?? '—'}`],
      ['detail.tokens', t('detail.tokenSplit', { input: formatNumber(data.tokens.input_uncached, locale), cached: formatNumber(data.tokens.cache_read, locale), output: formatNumber(data.tokens.output, locale), reasoning: formatNumber(data.tokens.reasoning, locale) })],
      ['detail.timings', t('detail.timingSplit', { latency: formatMs(data.timings.latency_ms, locale), ttft: formatMs(data.timings.ttft_ms, locale), overhead: formatMs(data.timings.overhead_ms, locale) })],
    ];
    body = (
      <dl className="detail" data-testid="request-detail">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{t(label)}</dt>
            <dd data-testid={`detail-${label.slice(7)}`}>{value}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <section className="panel detail-panel" aria-labelledby="detail-heading">
      <div className="panel-head">
        <h2 id="detail-heading">
          {t('requests.detail')} <code>{id}</code>
        </h2>
        <button type="button" onClick={onClose}>
          {t('requests.close')}
        </button>
      </div>
      {body}
    </section>
  );
}
