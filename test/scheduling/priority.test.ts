import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/catalogue.js';
import { parseDeadline, parsePriorityHeader, priorityHeader, resolvePriority } from '../../src/scheduling/priority.js';

describe('priority classes', () => {
  it('parses the header, case-insensitively, and rejects anything else with invalid_priority', () => {
    expect(parsePriorityHeader('Interactive')).toBe('interactive');
    expect(parsePriorityHeader(undefined)).toBeUndefined();
    expect(() => parsePriorityHeader('urgent')).toThrowError(expect.objectContaining({ code: 'invalid_priority', status: 400 }) as GatewayError);
  });

  it('uses the header, else the scenario default, else standard', () => {
    expect(resolvePriority('interactive', { priority: 'deferrable' }, null)).toEqual({ priority: 'interactive', downgradedFrom: undefined, source: 'header' });
    expect(resolvePriority(undefined, { priority: 'deferrable' }, null)).toEqual({ priority: 'deferrable', downgradedFrom: undefined, source: 'scenario' });
    expect(resolvePriority(undefined, undefined, null).priority).toBe('standard');
  });

  it("clamps to the key's entitlement and says so", () => {
    const resolved = resolvePriority('interactive', undefined, 'standard');
    expect(resolved).toMatchObject({ priority: 'standard', downgradedFrom: 'interactive' });
    expect(priorityHeader(resolved.priority, resolved.downgradedFrom)).toBe('standard; downgraded-from=interactive');
    expect(resolvePriority('deferrable', undefined, 'standard')).toMatchObject({ priority: 'deferrable', downgradedFrom: undefined });
  });

  it('reads deadlines as durations or instants, else the scenario default', () => {
    const now = Date.parse('2026-11-25T08:00:00Z');
    expect(parseDeadline('8h', now)).toBe(now + 8 * 3_600_000);
    expect(parseDeadline('90m', now)).toBe(now + 90 * 60_000);
    expect(parseDeadline('2026-11-25T18:00:00+08:00', now)).toBe(Date.parse('2026-11-25T10:00:00Z'));
    expect(parseDeadline(undefined, now, { deadlineHours: 8 })).toBe(now + 8 * 3_600_000);
    expect(parseDeadline(undefined, now)).toBeUndefined();
    expect(() => parseDeadline('tomorrow', now)).toThrowError(expect.objectContaining({ code: 'invalid_deadline' }) as GatewayError);
    expect(() => parseDeadline('2026-11-25T07:00:00Z', now)).toThrowError(expect.objectContaining({ code: 'invalid_deadline' }) as GatewayError);
  });
});
