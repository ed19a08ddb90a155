import type { ReactNode } from 'react';

/** A headline number: its label, the value (data-testid for tests) and an optional line under it. */
export function Kpi({ label, value, sub, testId, tone }: { label: string; value: ReactNode; sub?: ReactNode; testId: string; tone?: 'good' | 'bad' }) {
  return (
    <div className={`kpi${tone ? ` kpi-${tone}` : ''}`}>
      <span className="kpi-label" id={`${testId}-label`}>
        {label}
      </span>
      <span className="kpi-value" data-testid={testId} aria-describedby={`${testId}-label`}>
        {value}
      </span>
      {sub !== undefined && <span className="kpi-sub">{sub}</span>}
    </div>
  );
}

export function KpiRow({ children, label }: { children: ReactNode; label: string }) {
  return (
    <section className="kpis" aria-label={label}>
      {children}
    </section>
  );
}
