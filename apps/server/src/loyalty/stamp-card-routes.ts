// Stamp cards: listing (`read`) and creating (`admin`) stamp card templates.
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { stampCardTemplateView } from './loyalty-views.ts';
import { StampCardTemplate } from './response-schemas.ts';
import { tags, workspaceOf as ws } from './route-common.ts';
import { createStampCardTemplate, listStampCardTemplates } from './stamp-cards.ts';

const StampCardBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    stampsRequired: Type.Integer({ minimum: 1, maximum: 100 }),
    stampPer: Type.Optional(Type.Union([Type.Literal('visit'), Type.Literal('order')])),
    minOrderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    maxPerDay: Type.Optional(Type.Integer({ minimum: 1 })),
    rewards: Type.Optional(
      Type.Array(
        Type.Object(
          { at: Type.Integer({ minimum: 1 }), couponTemplateId: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
  },
  { additionalProperties: false },
);

/** Stamp card templates. */
export function registerStampCardRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/loyalty/stamp-cards',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Stamp card templates',
        response: { 200: Type.Object({ items: Type.Array(StampCardTemplate) }) },
      },
    },
    async (request) => ({
      items: (await listStampCardTemplates(db, ws(request))).map(stampCardTemplateView),
    }),
  );
  app.post(
    '/v1/loyalty/stamp-cards',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create a stamp card',
        body: StampCardBody,
        response: { 201: StampCardTemplate },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(stampCardTemplateView(await createStampCardTemplate(db, ws(request), request.body))),
  );
}
