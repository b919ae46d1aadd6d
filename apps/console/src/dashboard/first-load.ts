import type { FirstLoadRoute } from '../app/first-load.ts';

/** The dashboard opened first: its chunk and the five calls of its queries (queries.ts, segments). */
export const dashboardFirstLoad: FirstLoadRoute = {
  pathname: '/',
  load: () => import('./dashboard-page.tsx'),
  requests: () => [
    '/v1/analytics/overview',
    '/v1/analytics/forecast',
    '/v1/analytics/retention',
    '/v1/analytics/rfm',
    '/v1/segments',
  ],
};
