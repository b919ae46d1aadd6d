import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const journeysPages: ConsolePage[] = [
  {
    path: 'journeys',
    component: lazy(() => import('./journey-list-page.tsx').then((m) => ({ default: m.JourneyListPage }))),
    menu: { title: { ja: 'ステップ配信', en: 'Journeys' }, order: 40 },
  },
  {
    path: 'journeys/:id',
    component: lazy(() => import('./journey-page.tsx').then((m) => ({ default: m.JourneyPage }))),
  },
];
