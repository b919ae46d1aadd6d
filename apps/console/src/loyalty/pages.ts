import { lazy } from 'react';
import type { ConsolePage } from '../app/console-page.ts';

export const loyaltyPages: ConsolePage[] = [
  {
    path: 'loyalty',
    component: lazy(() => import('./loyalty-page.tsx').then((m) => ({ default: m.LoyaltyPage }))),
    menu: { title: { ja: 'ポイント・クーポン', en: 'Points and coupons' }, order: 30 },
  },
  {
    path: 'loyalty/till',
    component: lazy(() => import('./till-page.tsx').then((m) => ({ default: m.TillPage }))),
    menu: { title: { ja: 'レジ（会員証）', en: 'Till' }, order: 31 },
    scope: 'till',
  },
  {
    path: 'loyalty/coupons/new',
    component: lazy(() => import('./coupon-editor-page.tsx').then((m) => ({ default: m.CouponEditorPage }))),
    scope: 'admin',
  },
  {
    path: 'loyalty/coupons/:id',
    component: lazy(() => import('./coupon-editor-page.tsx').then((m) => ({ default: m.CouponEditorPage }))),
    scope: 'admin',
  },
  {
    path: 'loyalty/members/:customerId',
    component: lazy(() => import('./member-points-page.tsx').then((m) => ({ default: m.MemberPointsPage }))),
  },
];
