import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const segmentsPages: ConsolePage[] = [
  {
    path: 'segments',
    component: lazy(() => import('./segment-list-page.tsx').then((m) => ({ default: m.SegmentListPage }))),
    menu: { title: { ja: 'セグメント', en: 'Segments' }, order: 20 },
  },
];
