import type { ReactNode } from 'react';
import { ApiError, type Loaded } from '../api';
import { useI18n } from '../i18n';

/** Loading, error and empty states shared by every page. */
export function Loading() {
  const { t } = useI18n();
  return (
    <p className="state" role="status" data-testid="loading">
      {t('state.loading')}
    </p>
  );
}

export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  const { t } = useI18n();
  const missing = error instanceof ApiError && error.status === 404 && error.code === 'not_found';
  return (
    <div className="state state-error" role="alert" data-testid="error-state">
      <p>{missing ? t('state.notAvailable', { code: error.code }) : t('state.error', { message: error.message })}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('state.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <p className="state state-empty" data-testid="empty-state">
      {children ?? t('state.empty')}
    </p>
  );
}

/** Render `children(data)` once loaded; loading and error states otherwise. */
export function Load<T>({ result, children }: { result: Loaded<T> & { reload(): void }; children: (data: T) => ReactNode }) {
  if (result.state === 'loading') return <Loading />;
  if (result.state === 'error') return <ErrorState error={result.error} retry={result.reload} />;
  return <>{children(result.data)}</>;
}
