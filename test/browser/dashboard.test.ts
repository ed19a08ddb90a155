import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../ui/src/i18n/en.js';
import { zhCN } from '../../ui/src/i18n/zh-CN.js';
import {
  ADMIN_KEY,
  adminJson,
  browserRequired,
  browserUnavailable,
  fenOf,
  fenShown,
  launchBrowser,
  numberShown,
  openContext,
  seriousAxeViolations,
  startSeededGateway,
  type PageProblems,
  type SeededGateway,
} from './browser-harness.js';

// Browser globals used inside page.evaluate callbacks: these files compile under the server's tsconfig (no DOM lib).
declare const document: { documentElement: { lang: string }; activeElement: { textContent: string | null } | null; querySelector(selector: string): unknown };
declare const sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };

/**
 * The web dashboard in headless Chromium (Debian's chromium, playwright-core) on a seeded store: every page in
 * both languages renders, shows the admin API's numbers for the same range, logs no console error and makes
 * no failing request, and has no serious or critical axe-core violation. Screenshots of the Overview go to
 * docs/screenshots/ for the README.
 */
const unavailable = browserUnavailable();
if (unavailable && browserRequired) throw new Error(`TIDEGATE_REQUIRE_BROWSER=1 but ${unavailable}`);
if (unavailable) console.warn(`Skipping the dashboard browser tests: ${unavailable}`);

const SCREENSHOTS = join(import.meta.dirname, '../../docs/screenshots');
const dictionaries = { 'en-US': en, 'zh-CN': zhCN } as const;
type BrowserLocale = keyof typeof dictionaries;
type Key = keyof typeof en;

let seeded: SeededGateway;
let browser: Browser;

/** Sum of fen over API amounts (the page sums rounded fen too). */
const fenSum = (values: readonly string[]) => values.reduce((sum, value) => sum + fenOf(value), 0n);
const text = (page: Page, testId: string) => page.getByTestId(testId).first().textContent();
const rows = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] tbody tr:not(.empty-row)`).count();
/** formatMs: whole milliseconds from 10 ms, one decimal below. */
const msOf = (value: number) => (value < 10 ? Math.round(value * 10) / 10 : Math.round(value));

interface PageCase {
  path: string;
  title: Key;
  /** The data call the page makes (the path before any query). */
  api: string;
  check(page: Page, data: any, apiUrl: string): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

const PAGES: readonly PageCase[] = [
  {
    path: '/',
    title: 'nav.overview',
    api: '/admin/dashboard/overview',
    async check(page, data, apiUrl) {
      const { total } = data;
      expect(fenShown(await text(page, 'kpi-spend'))).toBe(fenOf(total.spend_cny));
      expect(fenShown(await text(page, 'kpi-flagship'))).toBe(fenOf(total.flagship_equivalent_cny));
      expect(fenShown(await text(page, 'kpi-saved'))).toBe(fenOf(total.savings_cny));
      expect(numberShown(await text(page, 'kpi-requests'))).toBe(total.requests);
      expect(numberShown(await text(page, 'kpi-latency'))).toBe(msOf(total.latency_ms.p50));
      for (const source of Object.keys(total.savings_by_source_cny)) {
        expect(fenShown(await text(page, `source-${source}`)), source).toBe(fenOf(total.savings_by_source_cny[source]));
      }
      const quality = data.quality_kept;
      expect(quality?.sample_size, 'the seeded store has shadow verdicts').toBeGreaterThan(0);
      // Shown with one decimal: within half a tenth of a percent of the API's share.
      expect(Math.abs(numberShown(await text(page, 'kpi-quality')) - quality.value * 100)).toBeLessThanOrEqual(0.0501);
      // "95% interval 89.3% to 93.5%, n = 357" / "95% 区间 89.3% 至 93.5%，样本数 357": n comes last in both.
      const detail = (await text(page, 'kpi-quality-detail')) ?? '';
      expect(Number(detail.match(/[\d,]+$/)?.[0].replace(/,/g, ''))).toBe(quality.sample_size);
      expect(await rows(page, 'table-days')).toBe(data.days.length);
      // Totals equal `tidegate usage` (GET /admin/usage, Beijing days) over the same days, to the fen.
      const query = new URL(apiUrl, 'http://x').searchParams;
      expect(query.get('tz')).toBe('Asia/Shanghai');
      const usage = await adminJson(seeded.gateway, `/admin/usage?group=day&since=${query.get('from')}&until=${query.get('to')}`);
      expect(fenShown(await text(page, 'kpi-spend'))).toBe(fenOf(usage.total.spend_cny));
      expect(fenShown(await text(page, 'kpi-saved'))).toBe(fenOf(usage.total.savings_cny));
      expect(numberShown(await text(page, 'kpi-requests'))).toBe(usage.total.requests);
    },
  },
  {
    path: '/routing',
    title: 'nav.routing',
    api: '/admin/dashboard/routing',
    async check(page, data) {
      const routed = data.routes.reduce((sum: number, route: { requests: number }) => sum + route.requests, 0);
      expect(routed).toBeGreaterThan(0);
      expect(numberShown(await text(page, 'kpi-routed'))).toBe(routed);
      expect(await rows(page, 'table-routes')).toBe(data.routes.length);
      expect(await rows(page, 'table-scenarios')).toBe(data.scenarios.length);
    },
  },
  {
    path: '/usage',
    title: 'nav.usage',
    api: '/admin/dashboard/usage',
    async check(page, data, apiUrl) {
      expect(fenShown(await text(page, 'kpi-spend'))).toBe(fenOf(data.total.spend_cny));
      expect(numberShown(await text(page, 'kpi-requests'))).toBe(data.total.requests);
      expect(await rows(page, 'table-usage')).toBe(data.by_model.rows.length);
      expect(fenShown(await page.locator('[data-testid="table-usage-total"] [data-col="spend"]').textContent())).toBe(fenOf(data.by_model.total.spend_cny));
      const query = new URL(apiUrl, 'http://x').searchParams;
      const usage = await adminJson(seeded.gateway, `/admin/usage?group=key&since=${query.get('from')}&until=${query.get('to')}`);
      await page.getByTestId('usage-group').selectOption('key');
      await page.waitForURL(/group=key/);
      expect(await rows(page, 'table-usage')).toBe(usage.rows.length);
      expect(fenShown(await page.locator('[data-testid="table-usage-total"] [data-col="spend"]').textContent())).toBe(fenOf(usage.total.spend_cny));
    },
  },
  {
    path: '/performance',
    title: 'nav.performance',
    api: '/admin/dashboard/performance',
    async check(page, data) {
      expect(numberShown(await text(page, 'kpi-latency-p90'))).toBe(msOf(data.total.latency_ms.p90));
      expect(numberShown(await text(page, 'kpi-ttft-p90'))).toBe(msOf(data.total.ttft_ms.p90));
      expect(numberShown(await text(page, 'kpi-overhead-p90'))).toBe(msOf(data.total.overhead_ms.p90));
      expect(numberShown(await text(page, 'kpi-requests'))).toBe(data.total.requests);
      expect(await rows(page, 'table-perf-models')).toBe(data.by_model.length);
    },
  },
  {
    path: '/reliability',
    title: 'nav.reliability',
    api: '/admin/dashboard/reliability',
    async check(page, data) {
      expect(data.total.errors).toBeGreaterThan(0);
      expect(Math.abs(numberShown(await text(page, 'kpi-error-rate')) - data.total.error_rate * 100)).toBeLessThanOrEqual(0.00501);
      expect(numberShown(await text(page, 'kpi-fallbacks'))).toBe(data.total.fallbacks);
      expect(numberShown(await text(page, 'kpi-retries'))).toBe(data.total.retries);
      expect(await rows(page, 'table-error-codes')).toBe(data.errors_by_code.length);
    },
  },
  {
    path: '/cache',
    title: 'nav.cache',
    api: '/admin/dashboard/cache',
    async check(page, data) {
      expect(data.total.exact.hits).toBeGreaterThan(0);
      expect(fenShown(await text(page, 'kpi-exact-saved'))).toBe(fenOf(data.total.exact.saved_cny));
      expect(fenShown(await text(page, 'kpi-semantic-saved'))).toBe(fenOf(data.total.semantic.saved_cny));
      expect(fenShown(await text(page, 'kpi-provider-saved'))).toBe(fenOf(data.total.provider.saved_cny));
      expect(Math.abs(numberShown(await text(page, 'kpi-exact-rate')) - data.total.exact.hit_rate * 100)).toBeLessThanOrEqual(0.0501);
      expect(await rows(page, 'table-cache-models')).toBe(data.by_model.length);
    },
  },
  {
    path: '/requests',
    title: 'nav.requests',
    api: '/admin/dashboard/requests',
    async check(page, data) {
      expect(data.data.length).toBeGreaterThan(0);
      expect(await rows(page, 'table-requests')).toBe(data.data.length);
      // Look up a request by id: the page shows its routing decision as the API records it.
      const id = seeded.summary.sample.escalated;
      const detail = await adminJson(seeded.gateway, `/admin/dashboard/requests/${id}`);
      await page.getByTestId('lookup-input').fill(id);
      await page.getByTestId('lookup-input').press('Enter');
      await page.getByTestId('request-detail').waitFor();
      expect(await text(page, 'detail-reason')).toBe(detail.routing.reason);
      expect(fenShown(await text(page, 'detail-cost'))).toBe(fenOf(detail.cost.cost_cny));
    },
  },
  {
    path: '/keys',
    title: 'nav.keys',
    api: '/admin/dashboard/keys',
    async check(page, data) {
      type KeyRow = { revoked: boolean; spent_month_cny: string; reserved_cny: string };
      expect(numberShown(await text(page, 'kpi-keys'))).toBe(data.keys.filter((key: KeyRow) => !key.revoked).length);
      expect(fenShown(await text(page, 'kpi-spent-month'))).toBe(fenSum(data.keys.map((key: KeyRow) => key.spent_month_cny)));
      // Held reservations: the seeded holds on this gateway's guard, as /admin/keys reports them too.
      const reserved = fenShown(await text(page, 'kpi-reserved'));
      expect(reserved).toBe(fenSum(data.keys.map((key: KeyRow) => key.reserved_cny)));
      const admin = await adminJson(seeded.gateway, '/admin/keys');
      expect(reserved).toBe(fenSum(admin.data.map((key: { reserved_cny: string | null }) => key.reserved_cny ?? '0')));
      expect(reserved).toBeGreaterThan(0n);
      expect(await rows(page, 'table-keys')).toBe(data.keys.length);
    },
  },
  {
    path: '/batches',
    title: 'nav.batches',
    api: '/admin/dashboard/batches',
    async check(page, data) {
      const count = (record: Record<string, number>, ...names: string[]) => names.reduce((sum, name) => sum + (record[name] ?? 0), 0);
      expect(data.data.length).toBeGreaterThan(0);
      expect(await rows(page, 'table-batches')).toBe(data.data.length);
      expect(numberShown(await text(page, 'kpi-batches-completed'))).toBe(count(data.counts.batches, 'completed'));
      expect(numberShown(await text(page, 'kpi-batches-running'))).toBe(count(data.counts.batches, 'validating', 'in_progress', 'finalizing'));
      expect(fenShown(await text(page, 'kpi-batches-saved'))).toBe(fenSum(data.data.map((batch: { saved_cny: string }) => batch.saved_cny)));
    },
  },
  {
    path: '/settings',
    title: 'nav.settings',
    api: '/admin/dashboard/settings',
    async check(page, data) {
      expect(await text(page, 'config-hash')).toBe(data.config_hash);
      expect(await rows(page, 'table-prices')).toBe(data.prices.length);
      const shown = await page.locator('main').textContent();
      expect(shown).not.toContain('SECRET');
      expect(shown).not.toContain(ADMIN_KEY);
    },
  },
];

/**
 * Load a page (or, with `via: 'nav'`, follow its link in the side navigation as a user would, without reloading)
 * and wait until it has its title and no loading indicator; fail on an error state.
 */
async function render(page: Page, watch: PageProblems, url: string, title: string, via: 'load' | 'nav' = 'load'): Promise<void> {
  watch.problems.length = 0;
  watch.apiCalls.length = 0;
  if (via === 'nav') await page.locator('nav').getByRole('link', { name: title, exact: true }).click();
  else await page.goto(url);
  await page.locator('h1', { hasText: title }).waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="loading"]') === null);
  const failure = page.getByTestId('error-state');
  if (await failure.count()) throw new Error(`${new URL(page.url()).pathname} shows an error: ${await failure.textContent()}`);
}

describe.skipIf(unavailable !== null)('dashboard in headless Chromium', () => {
  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [seeded, browser] = await Promise.all([startSeededGateway(), launchBrowser()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await seeded?.close();
  });

  describe.each(Object.keys(dictionaries) as BrowserLocale[])('in %s', (locale) => {
    const t = dictionaries[locale];
    let session: Awaited<ReturnType<typeof openContext>>;
    beforeAll(async () => {
      session = await openContext(browser, locale);
    });
    afterAll(async () => session?.context.close());

    it.each(PAGES)('$path renders the API numbers, accessibly, without errors', async (pageCase) => {
      const { page, watch } = session;
      // The first page is loaded from the gateway (index.html at its path); the others through the navigation.
      await render(page, watch, `${seeded.gateway.url}${pageCase.path}`, t[pageCase.title], pageCase === PAGES[0] ? 'load' : 'nav');
      expect(new URL(page.url()).pathname).toBe(pageCase.path);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale === 'en-US' ? 'en' : 'zh-CN');
      const apiUrl = watch.apiCalls.find((call) => call.startsWith(pageCase.api));
      expect(apiUrl, `${pageCase.path} calls ${pageCase.api}`).toBeDefined();
      await pageCase.check(page, await adminJson(seeded.gateway, apiUrl!), apiUrl!);
      if (pageCase.path === '/') {
        await page.screenshot({ path: join(SCREENSHOTS, `overview-${locale === 'en-US' ? 'en' : 'zh-CN'}.png`), fullPage: true });
      }
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(watch.problems).toEqual([]);
    });
  });

  describe('flows', () => {
    it('signs in with the admin key only, says why a key was refused, and keeps the key in the tab', async () => {
      const { context, page, watch } = await openContext(browser, 'en-US', null);
      try {
        await page.goto(seeded.gateway.url);
        await page.locator('h1', { hasText: en['login.title'] }).waitFor();
        expect(await seriousAxeViolations(page)).toEqual([]);
        await page.getByTestId('login-key').fill('tg-not-a-key');
        await page.getByTestId('login-submit').click();
        await expect.poll(() => text(page, 'login-problem')).toContain('invalid_api_key');
        // A virtual key works on /v1 but is not the admin key: 403.
        await page.getByTestId('login-key').fill(seeded.summary.keys[0]!.key);
        await page.getByTestId('login-submit').click();
        await expect.poll(() => text(page, 'login-problem')).toContain('admin_key_required');
        await page.getByTestId('login-key').fill(ADMIN_KEY);
        await page.getByTestId('login-submit').click();
        await page.locator('h1', { hasText: en['nav.overview'] }).waitFor();
        expect(await page.evaluate(() => sessionStorage.getItem('tidegate.adminKey'))).toBe(ADMIN_KEY);
        // Only the refused attempts failed.
        expect(watch.problems.every((problem) => /HTTP 40[13]: \/admin\/circuits|status of 40[13]/.test(problem))).toBe(true);
      } finally {
        await context.close();
      }
    });

    it('returns to sign-in with a message when the kept key stops working', async () => {
      const { context, page } = await openContext(browser, 'zh-CN', 'tg-revoked-or-wrong');
      try {
        await page.goto(seeded.gateway.url);
        await page.locator('h1', { hasText: zhCN['login.title'] }).waitFor();
        expect(await text(page, 'login-problem')).toContain('invalid_api_key');
        expect(await page.evaluate(() => sessionStorage.getItem('tidegate.adminKey'))).toBeNull();
      } finally {
        await context.close();
      }
    });

    it('switches language, remembers it, and sends the chosen range and time zone to the API', async () => {
      const { context, page, watch } = await openContext(browser, 'en-US');
      try {
        await render(page, watch, `${seeded.gateway.url}/`, en['nav.overview']);
        await page.getByTestId('language').selectOption('zh-CN');
        await page.locator('h1', { hasText: zhCN['nav.overview'] }).waitFor();
        await page.reload();
        await page.locator('h1', { hasText: zhCN['nav.overview'] }).waitFor();
        expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');

        watch.apiCalls.length = 0;
        await page.getByRole('button', { name: zhCN['range.last7'] }).click();
        await page.waitForURL(/range=7/);
        await expect.poll(() => watch.apiCalls.find((call) => call.startsWith('/admin/dashboard/overview'))).toBeDefined();
        const query = new URL(watch.apiCalls.find((call) => call.startsWith('/admin/dashboard/overview'))!, 'http://x').searchParams;
        expect((Date.parse(query.get('to')!) - Date.parse(query.get('from')!)) / 86_400_000).toBe(7);
        await page.waitForFunction(() => document.querySelector('[data-testid="loading"]') === null);
        expect(await rows(page, 'table-days')).toBeLessThanOrEqual(7);

        // Custom days, inclusive on screen; the API gets the day after the last one as its exclusive end.
        const shanghaiDay = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));
        const first = shanghaiDay(seeded.summary.from + 2 * 86_400_000);
        const last = shanghaiDay(seeded.summary.from + 5 * 86_400_000);
        const dayAfter = shanghaiDay(seeded.summary.from + 6 * 86_400_000);
        watch.apiCalls.length = 0;
        await page.getByRole('button', { name: zhCN['range.custom'] }).click();
        await page.getByLabel(zhCN['range.from']).fill(first);
        await page.getByLabel(zhCN['range.to']).fill(last);
        await page.getByRole('button', { name: zhCN['range.apply'] }).click();
        await page.waitForURL(new RegExp(`from=${first}&to=${last}`));
        await expect.poll(() => watch.apiCalls.some((call) => call.startsWith(`/admin/dashboard/overview?from=${first}&to=${dayAfter}&`))).toBe(true);
        await page.waitForFunction(() => document.querySelector('[data-testid="loading"]') === null);
        expect(await rows(page, 'table-days')).toBe(4);

        watch.apiCalls.length = 0;
        await page.getByTestId('time-zone').selectOption('UTC');
        await expect.poll(() => watch.apiCalls.some((call) => call.startsWith('/admin/dashboard/overview') && call.includes('tz=UTC'))).toBe(true);
        expect(watch.problems).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('says plainly when a looked-up request id is not in the log, whatever range is shown', async () => {
      const { context, page, watch } = await openContext(browser, 'zh-CN');
      try {
        await render(page, watch, `${seeded.gateway.url}/requests?range=7`, zhCN['nav.requests']);
        await page.getByTestId('lookup-input').fill('req_not_in_the_log');
        await page.getByTestId('lookup-input').press('Enter');
        await expect.poll(() => text(page, 'lookup-not-found')).toContain('req_not_in_the_log');
        // A request older than the range shown is still found by id.
        const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
        const old = await adminJson(seeded.gateway, `/admin/dashboard/requests?from=${day(seeded.summary.from)}&to=${day(seeded.summary.from + 2 * 86_400_000)}&limit=1`);
        expect(old.data.length).toBe(1);
        await page.getByTestId('lookup-input').fill(old.data[0].id);
        await page.getByTestId('lookup-input').press('Enter');
        await page.getByTestId('request-detail').waitFor();
        expect(watch.problems.filter((problem) => !/404|req_not_in_the_log/.test(problem))).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it('works from the keyboard: skip link, then the navigation', async () => {
      const { context, page, watch } = await openContext(browser, 'en-US');
      try {
        await render(page, watch, `${seeded.gateway.url}/`, en['nav.overview']);
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(en['app.skip']);
        let reached = false;
        for (let i = 0; i < 15 && !reached; i += 1) {
          await page.keyboard.press('Tab');
          reached = (await page.evaluate(() => document.activeElement?.textContent)) === en['nav.usage'];
        }
        expect(reached).toBe(true);
        await page.keyboard.press('Enter');
        await page.locator('h1', { hasText: en['nav.usage'] }).waitFor();
        expect(new URL(page.url()).pathname).toBe('/usage');
        expect(await page.locator('nav [aria-current="page"]').textContent()).toBe(en['nav.usage']);
      } finally {
        await context.close();
      }
    });
  });
});
