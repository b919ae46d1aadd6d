import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const dashboardPages: ConsolePage[] = [
  {
    path: '',
    component: lazy(() => import('./dashboard-page.tsx').then((m) => ({ default: m.DashboardPage }))),
    menu: { title: { ja: 'ダッシュボード', en: 'Dashboard' }, order: 0 },
  },
];
