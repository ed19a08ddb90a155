import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { parseConfigText } from '../../src/config/index.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { defaultUiDir } from '../../src/http/static-ui.js';
import { silentLogger } from '../../src/logging/logger.js';
import { migrate, openDatabase } from '../../src/storage/index.js';
import { placeSeedHolds, seedConfigYaml, seedDashboardStore, type SeedSummary } from '../dashboard/seed.js';

// Browser globals used inside page callbacks: this file compiles under the server's tsconfig (no DOM lib).
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const window: object;

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const ADMIN_KEY = 'tg-admin-browser-test';
export const SECRETS = { deepseek: 'sk-seed-deepseek-SECRET-0001', qwen: 'sk-seed-qwen-SECRET-0002', admin: ADMIN_KEY };

/**
 * Why the browser tests cannot run here, or null. Without Debian's chromium they are skipped with this reason,
 * unless TIDEGATE_REQUIRE_BROWSER=1 (CI), where the suite fails instead.
 */
export function browserUnavailable(): string | null {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk, or set CHROMIUM_PATH)`;
  return null;
}
export const browserRequired = process.env['TIDEGATE_REQUIRE_BROWSER'] === '1';

export interface SeededGateway {
  gateway: RunningGateway;
  summary: SeedSummary;
  close(): Promise<void>;
}

/** A gateway with the admin key on a SQLite store filled by the dashboard seeder, holds placed. */
export async function startSeededGateway(options: { days?: number; requestsPerDay?: number } = {}): Promise<SeededGateway> {
  if (!existsSync(join(defaultUiDir(), 'index.html'))) {
    throw new Error(`The dashboard is not built (${defaultUiDir()} has no index.html): run "npm run build:ui" first (npm test builds it).`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tidegate-browser-'));
  const url = `sqlite:${join(dir, 'tidegate.db')}`;
  const database = await openDatabase(url);
  await migrate(database);
  const summary = await seedDashboardStore(database, { days: options.days ?? 14, requestsPerDay: options.requestsPerDay ?? 120 });
  await database.close();
  const gateway = await startGateway(parseConfigText(seedConfigYaml(url, SECRETS), 'browser.yaml', {}), { logger: silentLogger, cwd: dir });
  await placeSeedHolds(gateway.services.budgets.guard, summary.holds);
  return {
    gateway,
    summary,
    async close() {
      await gateway.close(500);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Everything that went wrong on a page since the last reset: console errors, page errors, failed or 4xx/5xx requests. */
export interface PageProblems {
  problems: string[];
  /** Admin API URLs (path and query) the page called, in order. */
  apiCalls: string[];
}

export async function openContext(browser: Browser, locale: 'en-US' | 'zh-CN', key: string | null = ADMIN_KEY): Promise<{ context: BrowserContext; page: Page; watch: PageProblems }> {
  // bypassCSP lets the test inject axe-core; the gateway's CSP forbids inline scripts for the app itself.
  const context = await browser.newContext({ locale, timezoneId: 'Asia/Shanghai', viewport: { width: 1400, height: 900 }, bypassCSP: true });
  if (key !== null) await context.addInitScript((value) => sessionStorage.setItem('tidegate.adminKey', value), key);
  const page = await context.newPage();
  const watch: PageProblems = { problems: [], apiCalls: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') watch.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => watch.problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => watch.problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/admin/')) watch.apiCalls.push(url.pathname + url.search);
    if (response.status() >= 400) watch.problems.push(`HTTP ${response.status()}: ${url.pathname}${url.search}`);
  });
  return { context, page, watch };
}

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

/** axe-core's WCAG 2.0/2.1 A and AA rules; the serious and critical violations, as readable lines. */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    // A chart is one role="img" with a label (checked); the SVG drawn inside it is presentational.
    return axe.run({ exclude: [['.chart > *']] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  });
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.nodes.slice(0, 3).map((node) => JSON.stringify(node.target)).join(', ')})`);
}

/** GET an admin endpoint from Node with the admin key. */
export async function adminJson<T = any>(gateway: RunningGateway, pathAndQuery: string): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(`${gateway.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  if (!response.ok) throw new Error(`${pathAndQuery}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

// Reading numbers back out of the page, independently of the app's own formatting code.

/** "¥1,234.57" / "-¥0.50" → integer fen. */
export function fenShown(text: string | null): bigint {
  const value = (text ?? '').trim();
  if (!/^-?¥[\d,]+\.\d{2}$/.test(value)) throw new Error(`not a ¥ amount with fen: ${JSON.stringify(text)}`);
  return BigInt(value.replace(/[^\d-]/g, ''));
}

/** An exact CNY decimal string from the API → fen, rounded half away from zero. */
export function fenOf(cny: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(cny);
  if (!match) throw new Error(`not a CNY decimal: ${cny}`);
  const nano = BigInt(match[2]!) * 1_000_000_000n + BigInt(((match[3] ?? '') + '000000000').slice(0, 9));
  const fen = (nano + 5_000_000n) / 10_000_000n;
  return match[1] === '-' ? -fen : fen;
}

/** "2,868" / "2868" → 2868; "65.1%" → 65.1 ; "1,234 ms" → 1234. */
export function numberShown(text: string | null): number {
  const match = /-?[\d,]+(?:\.\d+)?/.exec(text ?? '');
  if (!match) throw new Error(`no number in ${JSON.stringify(text)}`);
  return Number(match[0].replace(/,/g, ''));
}
