import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const emailPages: ConsolePage[] = [
  {
    path: 'email',
    component: lazy(() =>
      import('./email-settings-page.tsx').then((m) => ({ default: m.EmailSettingsPage })),
    ),
    menu: { title: { ja: 'メール設定', en: 'Email settings' }, order: 62 },
  },
  {
    path: 'email/templates',
    component: lazy(() => import('./template-list-page.tsx').then((m) => ({ default: m.TemplateListPage }))),
    menu: { title: { ja: 'メールテンプレート', en: 'Email templates' }, order: 63 },
  },
  {
    path: 'email/templates/new',
    component: lazy(() =>
      import('./template-editor-page.tsx').then((m) => ({ default: m.TemplateEditorPage })),
    ),
    scope: 'admin',
  },
  {
    // Every role opens a template; only owners and admins (the API's `admin` scope) change it.
    path: 'email/templates/:id',
    component: lazy(() =>
      import('./template-editor-page.tsx').then((m) => ({ default: m.TemplateEditorPage })),
    ),
  },
];
