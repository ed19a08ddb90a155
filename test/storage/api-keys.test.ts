import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  countActiveApiKeys,
  createApiKey,
  hashApiKey,
  listApiKeys,
  migrate,
  openDatabase,
  revokeApiKey,
  touchApiKeys,
  verifyApiKey,
  type Database,
} from '../../src/storage/index.js';
import { targets, type Target } from './storage-targets.js';

describe.each(targets)('api keys contract: $name', (target) => {
  let database: Database;
  let store: ReturnType<Target['fresh']>;

  beforeAll(async () => {
    store = target.fresh();
    database = await openDatabase(store.url);
    await migrate(database);
  });

  afterAll(async () => {
    if (database === undefined) return; // opening failed, and that failure is already reported
    await database.close();
    await store.cleanup();
  });

  describe('api keys', () => {
    beforeEach(async () => {
      await database.db.deleteFrom('api_keys').execute();
    });

    it('creates a key that verifies, stored only as its sha256', async () => {
      const created = await createApiKey(database, 'ci bot');
      expect(created.key).toMatch(/^tg-[A-Za-z0-9_-]{40}$/);
      expect(created.id).toMatch(/^key_[a-z2-7]{12}$/);
      expect(created.prefix).toBe(created.key.slice(3, 11));
      expect(await verifyApiKey(database, created.key)).toEqual({ id: created.id, name: 'ci bot', team: null, dailyBudgetNano: null, monthlyBudgetNano: null, rpm: null, maxPriority: null });
      expect(await verifyApiKey(database, created.key.slice(0, -1) + (created.key.endsWith('a') ? 'b' : 'a'))).toBeNull();
      expect(await verifyApiKey(database, 'sk-not-ours')).toBeNull();

      const atRest = JSON.stringify(await database.db.selectFrom('api_keys').selectAll().execute());
      expect(atRest).not.toContain(created.key);
      expect(atRest).not.toContain(created.key.slice(3));
      expect(atRest).toContain(hashApiKey(created.key));
    });

    it('lists keys without secrets, revokes by prefix or id, and counts active keys', async () => {
      const a = await createApiKey(database, 'alpha', 1_000);
      const b = await createApiKey(database, 'beta', 2_000);
      expect(await countActiveApiKeys(database)).toBe(2);

      const listed = await listApiKeys(database);
      expect(listed.map((k) => k.id)).toEqual([a.id, b.id]);
      expect(Object.keys(listed[0]!).sort()).toEqual(['createdAt', 'dailyBudgetNano', 'id', 'lastUsedAt', 'maxPriority', 'monthlyBudgetNano', 'name', 'prefix', 'revokedAt', 'rpm', 'team']);
      expect(JSON.stringify(listed)).not.toContain(hashApiKey(a.key));

      expect(await revokeApiKey(database, a.prefix, 5_000)).toBe(true);
      expect(await revokeApiKey(database, a.prefix)).toBe(false);
      expect(await verifyApiKey(database, a.key)).toBeNull();
      expect(await revokeApiKey(database, b.id)).toBe(true);
      expect(await revokeApiKey(database, 'key_doesnotexist')).toBe(false);
      expect(await countActiveApiKeys(database)).toBe(0);
      expect((await listApiKeys(database))[0]).toMatchObject({ id: a.id, revokedAt: 5_000, createdAt: 1_000 });
    });

    it('touches last_used_at for a batch of ids', async () => {
      const a = await createApiKey(database, 'alpha', 1_000);
      const b = await createApiKey(database, 'beta', 2_000);
      await touchApiKeys(database, [], 9_000);
      await touchApiKeys(database, [a.id, a.id, 'key_unknown'], 1_750_000_000_123);
      const byId = new Map((await listApiKeys(database)).map((k) => [k.id, k.lastUsedAt]));
      expect(byId.get(a.id)).toBe(1_750_000_000_123);
      expect(byId.get(b.id)).toBeNull();
    });
  });
});
