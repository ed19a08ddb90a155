import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from '../format';
import { preference, remember } from '../session';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey };
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
export const locales: readonly Locale[] = ['zh-CN', 'en'];

/** Replace {name} placeholders; a missing value stays visible as {name} rather than vanishing. */
export function translate(locale: Locale, key: MessageKey, values: Record<string, string | number> = {}): string {
  const text = dictionaries[locale][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The remembered choice, else the browser's first language: any Chinese → zh-CN, anything else → English. */
export function initialLocale(): Locale {
  const saved = preference('locale');
  if (saved === 'en' || saved === 'zh-CN') return saved;
  const languages = typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return /^zh/i.test(languages[0] ?? '') ? 'zh-CN' : 'en';
}

interface I18n {
  locale: Locale;
  setLocale(locale: Locale): void;
  t(key: MessageKey, values?: Record<string, string | number>): string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((next: Locale) => {
    remember('locale', next);
    setLocaleState(next);
  }, []);
  const value = useMemo(() => ({ locale, setLocale, t: (key: MessageKey, values?: Record<string, string | number>) => translate(locale, key, values) }), [locale, setLocale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}
