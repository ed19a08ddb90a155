import { describe, expect, it } from 'vitest';
import { getPreset } from '../../src/providers/registry.js';
import { buildModel } from '../../src/config/schema.js';
import { latestStart, planWindow } from '../../src/scheduling/window-planner.js';

const deepseek = getPreset('deepseek')!;
const flash = buildModel(undefined, 'deepseek-flash', 'deepseek', deepseek.models, 'deepseek-flash');
const qwen = getPreset('qwen')!;
const untimed = buildModel(undefined, qwen.models[0]!.id, 'qwen', qwen.models, qwen.models[0]!.id);
const at = (text: string) => Date.parse(text);
const H = 3_600_000;

describe('cheapest window before the deadline', () => {
  it('work submitted at 11:55 on a weekday (Beijing) starts at 12:00 off-peak at half price', () => {
    const plan = planWindow(flash, at('2026-11-25T11:55:00+08:00'), at('2026-11-25T11:55:00+08:00') + 24 * H, 30_000);
    expect(plan).toMatchObject({ startAt: at('2026-11-25T12:00:00+08:00'), tariff: 'off-peak', multiplier: 0.5 });
  });

  it('runs now when it is already off-peak (weekend) or the model has no time-of-day tariff', () => {
    const saturday = at('2026-11-28T10:00:00+08:00');
    expect(planWindow(flash, saturday, saturday + 8 * H, 30_000).startAt).toBe(saturday);
    const now = at('2026-11-25T10:00:00+08:00');
    expect(planWindow(untimed, now, now + 8 * H, 30_000)).toMatchObject({ startAt: now, multiplier: 1 });
  });

  it('stays at peak when the deadline leaves no off-peak window, and refuses a deadline it cannot meet', () => {
    const now = at('2026-11-25T09:10:00+08:00');
    expect(planWindow(flash, now, at('2026-11-25T11:00:00+08:00'), 30_000)).toMatchObject({ startAt: now, tariff: 'peak' });
    expect(() => planWindow(flash, now, now + 30_000, 30_000)).toThrowError(expect.objectContaining({ code: 'deadline_unreachable' }));
    expect(latestStart(now + H, 10 * 60_000)).toBe(now + H - 20 * 60_000);
  });

  it('follows the holiday calendar: a public holiday is off-peak all day', () => {
    const nationalDay = at('2026-10-02T10:00:00+08:00');
    expect(planWindow(flash, nationalDay, nationalDay + 4 * H, 30_000)).toMatchObject({ startAt: nationalDay, tariff: 'off-peak' });
  });
});
