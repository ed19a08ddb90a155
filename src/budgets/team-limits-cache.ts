import type { TeamLimitsSource } from './admission.js';

type Limits = Awaited<ReturnType<TeamLimitsSource['teamLimits']>>;

/**
 * Team limits read from the store at most every `ttlMs` per team: a change applies within that time, or at
 * once where a change notice (src/cluster/notices.ts) calls forget().
 */
export function cachedTeamLimits(load: (team: string) => Promise<Limits>, ttlMs = 10_000, now: () => number = Date.now): TeamLimitsSource & { clear(): void; forget(team: string): void } {
  const cache = new Map<string, { value: Limits; expires: number }>();
  let generation = 0;
  return {
    async teamLimits(team) {
      const hit = cache.get(team);
      if (hit && hit.expires > now()) return hit.value;
      const started = generation;
      const value = await load(team);
      // A read that raced a forget() may hold the old value: use it once, do not keep it.
      if (started !== generation) return value;
      if (cache.size >= 10_000) cache.clear();
      cache.set(team, { value, expires: now() + ttlMs });
      return value;
    },
    clear: () => {
      generation += 1;
      cache.clear();
    },
    forget: (team) => {
      generation += 1;
      cache.delete(team);
    },
  };
}
