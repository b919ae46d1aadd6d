// The read side of runs: a journey's runs, a customer's runs, and the preview of one customer's path.

import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { RowId } from '../shared/page-schema.ts';
import { exitRun, getJourney } from './journeys.ts';
import { previewJourney } from './preview.ts';
import { listRuns } from './read-runs.ts';
import { CustomerParams, IdParams, Preview, PreviewQuery, RunList, RunQuery } from './route-schemas.ts';

const tags = ['journeys'];
const after = (cursor: string | undefined) => (cursor === undefined ? undefined : Number(cursor));

/**
 * GET /v1/journeys/{id}/runs, /v1/journeys/{id}/preview, /v1/customers/{customerId}/journey-runs,
 * POST /v1/journeys/{id}/runs/{runId}/exit.
 */
export function registerRunRoutes(
  app: App,
  { database, clock }: Pick<RouteDeps, 'database' | 'clock'>,
): void {
  const db = database.db;
  app.get(
    '/v1/journeys/:id/runs',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The journey’s runs with their steps, newest first',
        params: IdParams,
        querystring: RunQuery,
        response: { 200: RunList },
      },
    },
    async (request) => {
      const workspaceId = principalOf(request).workspaceId;
      await getJourney(db, workspaceId, request.params.id);
      const { limit = 50, cursor, status } = request.query;
      return listRuns(db, workspaceId, { journeyId: request.params.id, limit, after: after(cursor), status });
    },
  );
  app.get(
    '/v1/journeys/:id/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          'What would happen to one customer entering now, over the next days (nothing is sent): each node’s instant (JST waits), the branches taken, and what the send policy would decide for each send',
        params: IdParams,
        querystring: PreviewQuery,
        response: { 200: Preview },
      },
    },
    async (request) =>
      previewJourney(db, principalOf(request).workspaceId, request.params.id, {
        customerId: request.query.customerId,
        now: clock.now(),
        days: request.query.days ?? 30,
      }),
  );
  app.get(
    '/v1/customers/:customerId/journey-runs',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'A customer’s journey runs with their steps, newest first',
        params: CustomerParams,
        querystring: RunQuery,
        response: { 200: RunList },
      },
    },
    async (request) => {
      const { limit = 50, cursor, status } = request.query;
      return listRuns(db, principalOf(request).workspaceId, {
        customerId: request.params.customerId,
        limit,
        after: after(cursor),
        status,
      });
    },
  );
  app.post(
    '/v1/journeys/:id/runs/:runId/exit',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'End one active run now (operator): e.g. a cancelled booking’s reminders; other runs go on',
        params: Type.Object({ id: RowId('Journey id'), runId: RowId('Run id') }),
        response: {
          200: Type.Object({ id: Type.Integer(), status: Type.Literal('exited'), exitReason: Type.String() }),
        },
      },
    },
    async (request) =>
      exitRun(db, principalOf(request).workspaceId, request.params.id, request.params.runId, clock.now()),
  );
}
