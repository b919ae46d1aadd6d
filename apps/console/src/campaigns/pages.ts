import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const campaignsPages: ConsolePage[] = [
  {
    path: 'campaigns',
    component: lazy(() => import('./campaign-list-page.tsx').then((m) => ({ default: m.CampaignListPage }))),
    menu: { title: { ja: '一斉配信', en: 'Campaigns' }, order: 45 },
  },
  {
    path: 'campaigns/new',
    component: lazy(() =>
      import('./campaign-create-page.tsx').then((m) => ({ default: m.CampaignCreatePage })),
    ),
    scope: 'send',
  },
  {
    path: 'campaigns/:id',
    component: lazy(() => import('./campaign-page.tsx').then((m) => ({ default: m.CampaignPage }))),
  },
  {
    path: 'settings/send-policy',
    component: lazy(() => import('./send-policy-page.tsx').then((m) => ({ default: m.SendPolicyPage }))),
    menu: { title: { ja: '配信ルール', en: 'Send policy' }, order: 90 },
    scope: 'admin',
  },
];
