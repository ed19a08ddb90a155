import { useEffect, useId, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { usePrefs } from '../prefs';
import { isDay } from '../range';

/** 7 / 30 / 90 days ending today, or custom days (inclusive), in the reporting time zone. */
export function RangePicker() {
  const { t } = useI18n();
  const { choice, range, setChoice, timeZone } = usePrefs();
  const id = useId();
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.last);
  const [custom, setCustom] = useState(choice.kind === 'custom');
  useEffect(() => {
    setFrom(range.from);
    setTo(range.last);
  }, [range.from, range.last]);
  const presets = [7, 30, 90] as const;
  const labels = { 7: t('range.last7'), 30: t('range.last30'), 90: t('range.last90') };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (isDay(from) && isDay(to) && from <= to) setChoice({ kind: 'custom', from, to });
  };
  return (
    <div className="range">
      <div role="group" aria-label={t('range.label')} className="range-presets">
        {presets.map((days) => (
          <button
            key={days}
            type="button"
            aria-pressed={!custom && choice.kind === 'preset' && choice.days === days}
            onClick={() => {
              setCustom(false);
              setChoice({ kind: 'preset', days });
            }}
          >
            {labels[days]}
          </button>
        ))}
        <button type="button" aria-pressed={custom} aria-expanded={custom} aria-controls={`${id}-custom`} onClick={() => setCustom(!custom)}>
          {t('range.custom')}
        </button>
      </div>
      {custom && (
        <form id={`${id}-custom`} className="range-custom" onSubmit={apply}>
          <label>
            {t('range.from')}
            <input type="date" value={from} max={to} onChange={(event) => setFrom(event.target.value)} required />
          </label>
          <label>
            {t('range.to')}
            <input type="date" value={to} min={from} onChange={(event) => setTo(event.target.value)} required />
          </label>
          <button type="submit">{t('range.apply')}</button>
        </form>
      )}
      <p className="range-showing" data-testid="range-showing">
        {t('range.showing', { from: range.from, to: range.last, tz: timeZone })}
      </p>
    </div>
  );
}
