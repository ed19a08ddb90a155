import type { ComponentType } from 'react';
import type { MessageKey } from './i18n';
import { BatchesPage } from './pages/batches';
import { CachePage } from './pages/cache';
import { KeysPage } from './pages/keys';
import { OverviewPage } from './pages/overview';
import { PerformancePage } from './pages/performance';
import { ReliabilityPage } from './pages/reliability';
import { RequestsPage } from './pages/requests';
import { RoutingPage } from './pages/routing';
import { SettingsPage } from './pages/settings';
import { UsagePage } from './pages/usage';

export interface PageEntry {
  path: string;
  title: MessageKey;
  intro: MessageKey;
  component: ComponentType;
  /** Pages that read a date range show the picker. */
  ranged: boolean;
}

/** Every page; src/http/static-ui.ts serves index.html at each of these paths. */
export const PAGES: readonly PageEntry[] = [
  { path: '/', title: 'nav.overview', intro: 'intro.overview', component: OverviewPage, ranged: true },
  { path: '/routing', title: 'nav.routing', intro: 'intro.routing', component: RoutingPage, ranged: true },
  { path: '/usage', title: 'nav.usage', intro: 'intro.usage', component: UsagePage, ranged: true },
  { path: '/performance', title: 'nav.performance', intro: 'intro.performance', component: PerformancePage, ranged: true },
  { path: '/reliability', title: 'nav.reliability', intro: 'intro.reliability', component: ReliabilityPage, ranged: true },
  { path: '/cache', title: 'nav.cache', intro: 'intro.cache', component: CachePage, ranged: true },
  { path: '/requests', title: 'nav.requests', intro: 'intro.requests', component: RequestsPage, ranged: true },
  { path: '/keys', title: 'nav.keys', intro: 'intro.keys', component: KeysPage, ranged: false },
  { path: '/batches', title: 'nav.batches', intro: 'intro.batches', component: BatchesPage, ranged: false },
  { path: '/settings', title: 'nav.settings', intro: 'intro.settings', component: SettingsPage, ranged: false },
];
