import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const teamPages: ConsolePage[] = [
  {
    path: 'team',
    component: lazy(() => import('./team-page.tsx').then((m) => ({ default: m.TeamPage }))),
    menu: { title: { ja: 'チーム', en: 'Team' }, order: 80 },
    scope: 'admin',
  },
  {
    path: 'api-keys',
    component: lazy(() => import('./api-keys-page.tsx').then((m) => ({ default: m.ApiKeysPage }))),
    menu: { title: { ja: 'API キー', en: 'API keys' }, order: 81 },
    scope: 'admin',
  },
  {
    path: 'sessions',
    component: lazy(() => import('./sessions-page.tsx').then((m) => ({ default: m.SessionsPage }))),
    menu: { title: { ja: 'ログイン中の端末', en: 'My sessions' }, order: 90 },
  },
];
