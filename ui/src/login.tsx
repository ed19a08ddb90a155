import { useId, useState, type FormEvent } from 'react';
import { ApiError, apiGet } from './api';
import { useI18n } from './i18n';

/** Sign in with the admin key; it is checked against an admin route before it is kept (sessionStorage). */
export function Login({ reason, onSignedIn }: { reason: ApiError | null; onSignedIn(key: string): void }) {
  const { t } = useI18n();
  const inputId = useId();
  const [key, setKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(reason ? t('login.expired', { code: reason.code }) : null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setChecking(true);
    setProblem(null);
    try {
      await apiGet('/admin/circuits', {}, undefined, key.trim());
      onSignedIn(key.trim());
    } catch (error) {
      setProblem(error instanceof ApiError && error.isAuth ? t('login.refused', { code: error.code }) : t('state.error', { message: (error as Error).message }));
    } finally {
      setChecking(false);
    }
  };
  return (
    <main id="main" className="login">
      <form onSubmit={submit} aria-describedby={`${inputId}-intro`}>
        <h1>{t('login.title')}</h1>
        <p id={`${inputId}-intro`}>{t('login.intro')}</p>
        {problem && (
          <p className="state-error" role="alert" data-testid="login-problem">
            {problem}
          </p>
        )}
        <label htmlFor={inputId}>{t('login.key')}</label>
        <input id={inputId} type="password" autoComplete="current-password" value={key} onChange={(event) => setKey(event.target.value)} required data-testid="login-key" />
        <button type="submit" disabled={checking} data-testid="login-submit">
          {checking ? t('login.checking') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
