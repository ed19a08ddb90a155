import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { resolveRange, rangeFromSearch, rangeToSearch, type DayRange, type RangeChoice } from './range';
import { useLocation } from './router';
import { preference, remember } from './session';

/** Zones offered for reports. The API builds days from hourly rollups, so each has a whole-hour offset. */
export const TIME_ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Asia/Tokyo', 'UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles'] as const;
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

interface Prefs {
  timeZone: string;
  setTimeZone(zone: string): void;
  choice: RangeChoice;
  range: DayRange;
  setChoice(choice: RangeChoice): void;
  /** The query every ranged call sends: from, to (exclusive) and tz. */
  rangeParams: { from: string; to: string; tz: string };
}

const PrefsContext = createContext<Prefs | null>(null);

export function PrefsProvider({ children }: { children: ReactNode }) {
  const { search, path, navigate } = useLocation();
  const [timeZone, setZone] = useState(() => {
    const saved = preference('timeZone');
    return saved && (TIME_ZONES as readonly string[]).includes(saved) ? saved : DEFAULT_TIME_ZONE;
  });
  const setTimeZone = useCallback((zone: string) => {
    remember('timeZone', zone);
    setZone(zone);
  }, []);
  const choice = rangeFromSearch(search);
  const choiceKey = JSON.stringify(choice);
  const range = useMemo(() => resolveRange(choice, timeZone), [choiceKey, timeZone]); // eslint-disable-line react-hooks/exhaustive-deps
  const setChoice = useCallback((next: RangeChoice) => navigate(path, rangeToSearch(next, search)), [navigate, path, search]);
  const value = useMemo(
    () => ({ timeZone, setTimeZone, choice, range, setChoice, rangeParams: { from: range.from, to: range.to, tz: timeZone } }),
    [timeZone, setTimeZone, choiceKey, range, setChoice], // eslint-disable-line react-hooks/exhaustive-deps
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
}

export function usePrefs(): Prefs {
  const prefs = useContext(PrefsContext);
  if (!prefs) throw new Error('usePrefs outside PrefsProvider');
  return prefs;
}
