import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { type AnalyticsView, readView, refreshAnalytics } from './analytics-views.ts';
import { customerLtv, latestClvModel } from './clv-read.ts';
import { refitClv } from './refit-clv.ts';

const tags = ['analytics'];
const LTV_VIEWS: Record<string, AnalyticsView> = {
  cohort: 'ltv_cohort',
  source: 'ltv_source',
  segment: 'ltv_segment',
};

export function registerAnalyticsRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
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
      schema: { tags, summary: 'Cohort retention matrix (first-order month × months since)' },
    },
    async (request) => readView(db, principalOf(request).workspaceId, 'retention'),
  );
  app.get(
    '/v1/analytics/rfm',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'RFM grid (recency × frequency): customers and revenue' },
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
    { config: { scope: 'read' }, schema: { tags, summary: 'The latest CLV fit with its holdout quality' } },
    async (request) => ({ model: await latestClvModel(db, principalOf(request).workspaceId) }),
  );
  app.post(
    '/v1/analytics/clv/refit',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Refit the CLV model now (queued when a worker runs)' },
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
      schema: { tags, summary: 'Recompute customer stats, RFM scores and every view now' },
    },
    async (request) => ({ timings: await refreshAnalytics(db, principalOf(request).workspaceId) }),
  );
}
