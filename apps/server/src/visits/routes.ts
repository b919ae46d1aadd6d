import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerBatchRoute } from '../ingest/batch-route.ts';
import { registerVisitReadRoutes } from './read-routes.ts';
import { recordVisits, type VisitOutcome } from './record-visits.ts';
import { VisitInput, type VisitInput as VisitInputType } from './visit-schema.ts';

export function registerVisitRoutes(app: App, deps: RouteDeps): void {
  registerBatchRoute<VisitInputType, VisitOutcome>(app, deps, {
    path: '/v1/visits',
    field: 'visits',
    tag: 'visits',
    summary: 'Record store visits (by your visit id); up to 1,000 per request',
    item: VisitInput,
    result: Type.Object({
      id: Type.Union([Type.Integer(), Type.Null()]),
      externalId: Type.String(),
      outcome: Type.String(),
    }),
    write: recordVisits,
  });
  registerVisitReadRoutes(app, deps);
}
