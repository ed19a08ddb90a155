import { useApi } from '../api';
import { Load } from '../components/states';
import { DataTable } from '../components/table';
import { formatNumber } from '../format';
import { useI18n } from '../i18n';
import type { Settings } from '../types';

/** The loaded configuration (secrets redacted by the server) and the dated price catalogue; read-only. */
export function SettingsPage() {
  const result = useApi<Settings>('/admin/dashboard/settings');
  return <Load result={result}>{(data) => <SettingsBody data={data} />}</Load>;
}

function SettingsBody({ data }: { data: Settings }) {
  const { t, locale } = useI18n();
  // List prices per million tokens can have more than fen precision (¥0.06); show up to 4 decimals.
  const number = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
  const price = (value: number | null | undefined, currency: string) => (value === null || value === undefined ? '—' : `${currency === 'CNY' ? '¥' : `${currency} `}${number.format(value)}`);
  const rows = data.prices.map((entry) => ({ entry, current: entry.versions.find((version) => version.since === entry.in_force) ?? entry.versions.at(-1) }));
  return (
    <>
      <p className="note">{t('settings.readOnly')}</p>
      <DataTable
        caption={t('settings.prices')}
        testId="table-prices"
        rows={rows}
        rowKey={(row) => row.entry.model}
        columns={[
          { key: 'model', header: t('col.model'), cell: (row) => row.entry.model },
          { key: 'provider', header: t('col.provider'), cell: (row) => row.entry.provider },
          { key: 'tier', header: t('col.tier'), cell: (row) => row.entry.tier ?? '—' },
          { key: 'since', header: t('col.since'), cell: (row) => row.entry.in_force ?? t('settings.unpriced') },
          { key: 'input', header: t('col.priceInput'), numeric: true, cell: (row) => price(row.current?.input, row.current?.currency ?? 'CNY') },
          { key: 'cached', header: t('col.priceCached'), numeric: true, cell: (row) => price(row.current?.cache_read, row.current?.currency ?? 'CNY') },
          { key: 'output', header: t('col.priceOutput'), numeric: true, cell: (row) => price(row.current?.output, row.current?.currency ?? 'CNY') },
          { key: 'versions', header: t('col.versions'), numeric: true, cell: (row) => formatNumber(row.entry.versions.length, locale) },
        ]}
      />
      <p className="note">{t('settings.unit')}</p>
      <section className="panel" aria-labelledby="config-heading">
        <h2 id="config-heading">{t('settings.config')}</h2>
        <p>
          {t('settings.hash')} <code data-testid="config-hash">{data.config_hash}</code>
        </p>
        <pre className="config" tabIndex={0} aria-label={t('settings.config')} data-testid="config-json">
          {JSON.stringify(data.config, null, 2)}
        </pre>
      </section>
    </>
  );
}
