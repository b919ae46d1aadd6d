import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const customersPages: ConsolePage[] = [
  {
    path: 'customers',
    component: lazy(() => import('./customer-list-page.tsx').then((m) => ({ default: m.CustomerListPage }))),
    menu: { title: { ja: '顧客', en: 'Customers' }, order: 10 },
  },
  {
    path: 'customers/:id',
    component: lazy(() => import('./customer-page.tsx').then((m) => ({ default: m.CustomerPage }))),
  },
  {
    path: 'customers/:id/merge',
    component: lazy(() => import('./merge-page.tsx').then((m) => ({ default: m.MergePage }))),
    scope: 'ingest',
  },
];
