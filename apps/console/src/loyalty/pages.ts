import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const loyaltyPages: ConsolePage[] = [
  {
    path: 'loyalty',
    component: lazy(() => import('./loyalty-page.tsx').then((m) => ({ default: m.LoyaltyPage }))),
    menu: { title: { ja: 'ポイント・クーポン', en: 'Points and coupons' }, order: 30 },
  },
];
