import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

export interface Column<Row> {
  key: string;
  header: string;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
}

/** A captioned table; numeric columns right-aligned; each cell carries data-col for tests. */
export function DataTable<Row>({ caption, columns, rows, rowKey, testId, footer, empty }: {
  caption: string;
  columns: ReadonlyArray<Column<Row>>;
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  testId?: string;
  footer?: Row;
  /** Said in the table body when there are no rows (default: the generic empty message). */
  empty?: string;
}) {
  const { t } = useI18n();
  return (
    // Wide tables scroll sideways; the region takes keyboard focus so they can be scrolled without a mouse.
    <div className="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr className="empty-row">
              <td colSpan={columns.length}>{empty ?? t('state.emptyTable')}</td>
            </tr>
          )}
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)}>
              {columns.map((column, columnIndex) =>
                columnIndex === 0 ? (
                  <th key={column.key} scope="row" data-col={column.key}>
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.key} data-col={column.key} className={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
        {footer !== undefined && (
          <tfoot>
            <tr data-testid={testId ? `${testId}-total` : undefined}>
              {columns.map((column, columnIndex) =>
                columnIndex === 0 ? (
                  <th key={column.key} scope="row" data-col={column.key}>
                    {column.cell(footer)}
                  </th>
                ) : (
                  <td key={column.key} data-col={column.key} className={column.numeric ? 'num' : undefined}>
                    {column.cell(footer)}
                  </td>
                ),
              )}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
