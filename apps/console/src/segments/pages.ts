import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

const SegmentEditorPage = lazy(() =>
  import('./segment-editor-page.tsx').then((m) => ({ default: m.SegmentEditorPage })),
);

export const segmentsPages: ConsolePage[] = [
  {
    path: 'segments',
    component: lazy(() => import('./segment-list-page.tsx').then((m) => ({ default: m.SegmentListPage }))),
    menu: { title: { ja: 'セグメント', en: 'Segments' }, order: 20 },
  },
  { path: 'segments/new', component: SegmentEditorPage, scope: 'send' },
  { path: 'segments/:id', component: SegmentEditorPage },
];
