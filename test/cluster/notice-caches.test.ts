import { describe, expect, it } from 'vitest';
import { cachedTeamLimits } from '../../src/budgets/team-limits-cache.js';
import { Authenticator, type KeyStore } from '../../src/http/auth.js';
import { noLimits } from '../../src/storage/index.js';

/** What a change notice does to a node's caches: drop exactly the entry, even against a read in flight. */

function keyStore(): KeyStore & { active: Set<string>; reads: number; hold?: Promise<void> } {
  const store = {
    active: new Set(['tg-alpha', 'tg-beta']),
    reads: 0,
    hold: undefined as Promise<void> | undefined,
    async verify(key: string) {
      store.reads += 1;
      const active = store.active.has(key);
      await store.hold;
      return active ? { id: `id-${key}`, name: key, ...noLimits } : null;
    },
    countActive: async () => store.active.size,
  };
  return store;
}

describe('caches dropped by change notices', () => {
  it('forgetKey drops that key only; the next use reads the store again', async () => {
    const store = keyStore();
    const auth = new Authenticator(store, 'tg-admin', 2, 60_000);
    await auth.authenticate('tg-alpha');
    await auth.authenticate('tg-beta');
    expect(store.reads).toBe(2);
    store.active.delete('tg-alpha');
    auth.forgetKey('id-tg-alpha');
    await expect(auth.authenticate('tg-alpha')).rejects.toMatchObject({ code: 'invalid_api_key' });
    await auth.authenticate('tg-beta');
    expect(store.reads).toBe(3); // beta still cached
  });

  it('does not keep a lookup that read the old row while the notice arrived', async () => {
    const store = keyStore();
    const auth = new Authenticator(store, 'tg-admin', 2, 60_000);
    let release!: () => void;
    store.hold = new Promise((resolve) => (release = resolve));
    const inFlight = auth.authenticate('tg-alpha'); // has read "active" and waits
    await Promise.resolve();
    store.active.delete('tg-alpha');
    auth.forgetKey('id-tg-alpha');
    release();
    await inFlight; // answered with what it read
    store.hold = undefined;
    await expect(auth.authenticate('tg-alpha')).rejects.toMatchObject({ code: 'invalid_api_key' });
  });

  it('team limits: forget(team) drops that team, and a read in flight is not kept', async () => {
    type Limits = { dailyBudgetNano: number | null; monthlyBudgetNano: number | null; rpm: number | null };
    const limits = new Map<string, Limits>([['ops', { dailyBudgetNano: 1, monthlyBudgetNano: null, rpm: null }]]);
    let reads = 0;
    let hold: Promise<void> | undefined;
    const cache = cachedTeamLimits(async (team) => {
      reads += 1;
      const value = limits.get(team);
      await hold;
      return value;
    }, 60_000);
    expect(await cache.teamLimits('ops')).toMatchObject({ dailyBudgetNano: 1 });
    limits.set('ops', { dailyBudgetNano: 2, monthlyBudgetNano: null, rpm: null });
    expect(await cache.teamLimits('ops')).toMatchObject({ dailyBudgetNano: 1 }); // cached
    cache.forget('ops');
    expect(await cache.teamLimits('ops')).toMatchObject({ dailyBudgetNano: 2 });
    expect(reads).toBe(2);

    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    cache.forget('ops');
    const inFlight = cache.teamLimits('ops');
    await Promise.resolve();
    limits.set('ops', { dailyBudgetNano: 3, monthlyBudgetNano: null, rpm: null });
    cache.forget('ops');
    release();
    expect(await inFlight).toMatchObject({ dailyBudgetNano: 2 });
    hold = undefined;
    expect(await cache.teamLimits('ops')).toMatchObject({ dailyBudgetNano: 3 });
  });
});
