import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { FreeObject, Instant, Nullable, Page, Yen } from '../shared/response-types.ts';
import { readView, refreshAnalytics } from './analytics-views.ts';
import { customerLtv, latestClvModel } from './clv-read.ts';
import { registerOverviewRoute } from './overview-route.ts';
import { refitClv } from './refit-clv.ts';
import { registerSubscriptionRoutes } from './subscription-routes.ts';

const tags = ['analytics'];

const LtvRow = Type.Object({
  key: Type.String({
    description: 'Cohort month (YYYY-MM, JST), source, or segment id; unknown when absent',
  }),
  label: Type.Optional(Nullable(Type.String({ description: 'Segment name (by=segment only)' }))),
  customers: Type.Integer(),
  orders: Type.Integer(),
  revenue: Yen('Completed-order revenue, integer yen'),
  aov: Yen('Average order value, rounded to the yen'),
  purchaseFrequency: Type.Number({ description: 'Orders per buyer per year of lifespan (a rate)' }),
  lifespanYears: Type.Number(),
  ltv: Yen('Revenue per buyer (AOV × frequency × lifespan), rounded to the yen'),
});
const ViewHead = { view: Type.String(), computedAt: Instant('When the view was computed') };
const Forecast = Type.Object(
  {
    days30: Yen('Revenue expected in the next 30 days, rounded to the yen'),
    days90: Yen('Revenue expected in the next 90 days, rounded to the yen'),
    days365: Yen('Revenue expected in the next 365 days, rounded to the yen'),
  },
  { description: 'Revenue expected from current buyers, integer yen' },
);
const ClvModel = Type.Object({
  id: Type.Integer(),
  model: Type.String({ description: 'bgnbd+gg, paretonbd+gg, historical, …' }),
  fallbackReason: Nullable(Type.String()),
  params: FreeObject('Fitted parameters of the purchase and spend models'),
  quality: FreeObject('Holdout check: predicted against actual purchases (counts and ratios)'),
  forecast: Nullable(Forecast),
  customers: Type.Integer(),
  timings: FreeObject('Milliseconds per step of the fit'),
  fittedAt: Instant(),
});
const RefitResult = Type.Object({
  modelId: Type.Integer(),
  model: Type.String(),
  fallbackReason: Nullable(Type.String()),
  customers: Type.Integer(),
  quality: FreeObject('Holdout check: predicted against actual purchases (counts and ratios)'),
  forecast: Forecast,
  timings: FreeObject('Milliseconds per step of the fit'),
});
/** One customer's historical and predicted LTV (also the CLV part of the customer summary). */
export const CustomerLtv = Type.Object({
  customerId: Type.Integer(),
  orders: Type.Integer(),
  historicalLtv: Yen(
    'Completed-order revenue plus the spend of visits not paid through an order, to date, integer yen',
  ),
  visitSpend: Yen('The part of historicalLtv that comes from visits (shops without an order system)'),
  firstOrderAt: Nullable(Instant()),
  lastOrderAt: Nullable(Instant()),
  rfm: Nullable(Type.Object({ r: Type.Integer(), f: Type.Integer(), m: Type.Integer() })),
  prediction: Nullable(
    Type.Object({
      modelId: Type.Integer(),
      pAlive: Nullable(Type.Number({ description: 'Probability the customer is still active (0–1)' })),
      expectedPurchases90d: Nullable(Type.Number()),
      predictedClv: Nullable(Yen('Discounted 12-month CLV, rounded to the yen')),
      clvPercentile: Nullable(Type.Number({ description: 'Percentile of predictedClv (0–100)' })),
    }),
  ),
});
const LTV_VIEWS: Record<string, 'ltv_cohort' | 'ltv_source' | 'ltv_segment'> = {
  cohort: 'ltv_cohort',
  source: 'ltv_source',
  segment: 'ltv_segment',
};

export function registerAnalyticsRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  registerSubscriptionRoutes(app, deps);
  registerOverviewRoute(app, deps);
  app.get(
    '/v1/analytics/ltv',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          'Historical LTV (AOV × frequency × lifespan) by acquisition cohort (month), source or segment',
        querystring: Type.Object({
          by: Type.Union([Type.Literal('cohort'), Type.Literal('source'), Type.Literal('segment')], {
            default: 'cohort',
          }),
        }),
        response: { 200: Type.Object({ ...ViewHead, rows: Type.Array(LtvRow) }) },
      },
    },
    async (request) =>
      readView(db, principalOf(request).workspaceId, LTV_VIEWS[request.query.by ?? 'cohort'] ?? 'ltv_cohort'),
  );
  app.get(
    '/v1/analytics/ltv/customers',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Historical and predicted LTV per customer, by customer id',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          cursor: Type.Optional(
            Type.String({
              maxLength: 15,
              pattern: '^[0-9]{1,15}$',
              description: 'nextCursor from the previous page',
            }),
          ),
        }),
        response: { 200: Page(CustomerLtv) },
      },
    },
    async (request) =>
      customerLtv(db, principalOf(request).workspaceId, {
        limit: request.query.limit ?? 100,
        ...(request.query.cursor ? { after: Number(request.query.cursor) } : {}),
      }),
  );
  app.get(
    '/v1/analytics/retention',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Cohort retention matrix (first-order month × months since)',
        response: {
          200: Type.Object({
            ...ViewHead,
            cohorts: Type.Array(
              Type.Object({
                cohort: Type.String({ description: 'First-order month, YYYY-MM (JST)' }),
                customers: Type.Integer(),
                active: Type.Array(Type.Integer(), { description: 'Buyers k months later' }),
                retention: Type.Array(Type.Number(), { description: 'Share of the cohort (0–1)' }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => readView(db, principalOf(request).workspaceId, 'retention'),
  );
  app.get(
    '/v1/analytics/rfm',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'RFM grid (recency × frequency): customers and revenue',
        response: {
          200: Type.Object({
            ...ViewHead,
            cells: Type.Array(
              Type.Object({
                r: Type.Integer(),
                f: Type.Integer(),
                customers: Type.Integer(),
                revenue: Yen(),
                meanMonetaryScore: Type.Number(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => readView(db, principalOf(request).workspaceId, 'rfm_grid'),
  );
  app.get(
    '/v1/analytics/forecast',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Revenue expected from current buyers in the next 30/90/365 days (CLV model)',
        response: {
          200: Type.Object({
            forecast: Nullable(Forecast),
            model: Nullable(
              Type.Object({
                id: Type.Integer(),
                model: Type.String(),
                fallbackReason: Nullable(Type.String()),
                fittedAt: Instant(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const model = await latestClvModel(db, principalOf(request).workspaceId);
      return {
        forecast: model?.forecast ?? null,
        model: model
          ? {
              id: model.id,
              model: model.model,
              fallbackReason: model.fallbackReason,
              fittedAt: model.fittedAt,
            }
          : null,
      };
    },
  );
  app.get(
    '/v1/analytics/clv/model',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The latest CLV fit with its holdout quality',
        response: { 200: Type.Object({ model: Nullable(ClvModel) }) },
      },
    },
    async (request) => ({ model: await latestClvModel(db, principalOf(request).workspaceId) }),
  );
  app.post(
    '/v1/analytics/clv/refit',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Refit the CLV model now (queued when a worker runs)',
        response: {
          200: RefitResult,
          202: Type.Object({ queued: Type.Literal(true), jobId: Nullable(Type.String()) }),
        },
      },
    },
    async (request, reply) => {
      const workspaceId = principalOf(request).workspaceId;
      if (deps.jobs) {
        const jobId = await deps.jobs.send(
          'clv-refit',
          { workspaceId },
          { singletonKey: `clv-refit:${workspaceId}` },
        );
        return reply.status(202).send({ queued: true, jobId });
      }
      return reply.status(200).send(await refitClv(db, workspaceId));
    },
  );
  app.post(
    '/v1/analytics/refresh',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Recompute customer stats, RFM scores and every view now',
        response: {
          200: Type.Object({
            timings: Type.Record(Type.String(), Type.Integer(), { description: 'Milliseconds per step' }),
          }),
        },
      },
    },
    async (request) => ({ timings: await refreshAnalytics(db, principalOf(request).workspaceId) }),
  );
}
