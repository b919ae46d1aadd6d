import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const linePages: ConsolePage[] = [
  {
    path: 'line',
    component: lazy(() => import('./line-setup-page.tsx').then((m) => ({ default: m.LineSetupPage }))),
    menu: { title: { ja: 'LINE 設定', en: 'LINE setup' }, order: 60 },
  },
  {
    path: 'line/rich-menus',
    component: lazy(() => import('./rich-menu-list-page.tsx').then((m) => ({ default: m.RichMenuListPage }))),
    menu: { title: { ja: 'リッチメニュー', en: 'Rich menus' }, order: 61 },
  },
  {
    path: 'line/rich-menus/new',
    component: lazy(() =>
      import('./rich-menu-editor-page.tsx').then((m) => ({ default: m.RichMenuEditorPage })),
    ),
    scope: 'admin',
  },
];
