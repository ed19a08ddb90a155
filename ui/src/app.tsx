import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, apiGet, setAuthFailureHandler } from './api';
import { RangePicker } from './components/range-picker';
import { Loading } from './components/states';
import type { Locale } from './format';
import { I18nProvider, locales, useI18n } from './i18n';
import { Login } from './login';
import { PAGES } from './pages';
import { PrefsProvider, TIME_ZONES, usePrefs } from './prefs';
import { Link, RouterProvider, useLocation } from './router';
import { storedKey, storeKey } from './session';

type Auth = { state: 'checking' } | { state: 'in' } | { state: 'out'; reason: ApiError | null };

export function App() {
  return (
    <RouterProvider>
      <I18nProvider>
        <PrefsProvider>
          <Shell />
        </PrefsProvider>
      </I18nProvider>
    </RouterProvider>
  );
}

/** Public shell; every data call carries the admin key, and a 401/403 anywhere returns to sign-in. */
function Shell() {
  const { t } = useI18n();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  useEffect(() => {
    setAuthFailureHandler((error) => {
      storeKey(null);
      setAuth({ state: 'out', reason: error });
    });
    // With a kept key, or a gateway in open mode (no admin key configured, loopback only), go straight in.
    const hadKey = storedKey() !== null;
    apiGet('/admin/circuits').then(
      () => setAuth({ state: 'in' }),
      (error: unknown) => setAuth({ state: 'out', reason: hadKey && error instanceof ApiError ? error : null }),
    );
  }, []);
  const signIn = useCallback((key: string) => {
    storeKey(key);
    setAuth({ state: 'in' });
  }, []);
  const signOut = useCallback(() => {
    storeKey(null);
    setAuth({ state: 'out', reason: null });
  }, []);
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <Header signedIn={auth.state === 'in'} signOut={signOut} />
      {auth.state === 'checking' ? (
        <main id="main" className="login">
          <Loading />
        </main>
      ) : auth.state === 'out' ? (
        <Login reason={auth.reason} onSignedIn={signIn} />
      ) : (
        <Dashboard />
      )}
    </>
  );
}

function Header({ signedIn, signOut }: { signedIn: boolean; signOut(): void }) {
  const { t, locale, setLocale } = useI18n();
  const { timeZone, setTimeZone } = usePrefs();
  const languageId = useId();
  const zoneId = useId();
  // Each language is named in itself, whichever language the page is in.
  const names: Record<Locale, string> = { 'zh-CN': t('lang.zhCN'), en: t('lang.en') };
  return (
    <header className="top">
      <div className="brand">
        <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="6" fill="#fff" opacity="0.15" />
          <path d="M4 20c4-4 8-4 12 0s8 4 12 0v6H4z" fill="#fff" />
          <path d="M4 13c4-4 8-4 12 0s8 4 12 0" stroke="#fff" strokeWidth="2.5" fill="none" />
        </svg>
        <span className="brand-name">{t('app.title')}</span>
        <span className="brand-sub">{t('app.subtitle')}</span>
      </div>
      <div className="top-controls">
        <label htmlFor={languageId}>{t('prefs.language')}</label>
        <select id={languageId} value={locale} onChange={(event) => setLocale(event.target.value as Locale)} data-testid="language">
          {locales.map((code) => (
            <option key={code} value={code} lang={code}>
              {names[code]}
            </option>
          ))}
        </select>
        <label htmlFor={zoneId}>{t('prefs.timeZone')}</label>
        <select id={zoneId} value={timeZone} onChange={(event) => setTimeZone(event.target.value)} data-testid="time-zone">
          {TIME_ZONES.map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
        {signedIn && (
          <button type="button" className="ghost" onClick={signOut}>
            {t('prefs.signOut')}
          </button>
        )}
      </div>
    </header>
  );
}

function Dashboard() {
  const { t } = useI18n();
  const { path } = useLocation();
  const page = PAGES.find((entry) => entry.path === path) ?? PAGES.find((entry) => entry.path === path.replace(/\/+$/, ''));
  useEffect(() => {
    document.title = `${page ? t(page.title) : t('page.notFound')} · ${t('app.title')}`;
  }, [page, t]);
  return (
    <div className="layout">
      <nav className="side" aria-label={t('nav.label')}>
        <ul>
          {PAGES.map((entry) => (
            <li key={entry.path}>
              <Link to={entry.path} aria-current={entry === page ? 'page' : undefined}>
                {t(entry.title)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {page ? (
          <>
            <div className="page-head">
              <div>
                <h1>{t(page.title)}</h1>
                <p className="intro">{t(page.intro)}</p>
              </div>
              {page.ranged && <RangePicker />}
            </div>
            <page.component />
          </>
        ) : (
          <>
            <h1>{t('page.notFound')}</h1>
            <p>
              <Link to="/">{t('nav.overview')}</Link>
            </p>
          </>
        )}
      </main>
    </div>
  );
}
