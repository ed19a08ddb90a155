import type { TeamLimitsSource } from './admission.js';

type Limits = Awaited<ReturnType<TeamLimitsSource['teamLimits']>>;

/** Team limits read from the store at most every `ttlMs` per team (a change applies within that time). */
export function cachedTeamLimits(load: (team: string) => Promise<Limits>, ttlMs = 10_000, now: () => number = Date.now): TeamLimitsSource & { clear(): void } {
  const cache = new Map<string, { value: Limits; expires: number }>();
  return {
    async teamLimits(team) {
      const hit = cache.get(team);
      if (hit && hit.expires > now()) return hit.value;
      const value = await load(team);
      if (cache.size >= 10_000) cache.clear();
      cache.set(team, { value, expires: now() + ttlMs });
      return value;
    },
    clear: () => cache.clear(),
  };
}
