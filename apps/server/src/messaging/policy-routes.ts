// The workspace's send policy: read it (`read`), replace it (`admin`).
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { getSendPolicy, putSendPolicy } from './send-policy.ts';

const Cap = Type.Union(
  [
    Type.Object(
      {
        max: Type.Integer({ description: 'marketing messages per customer in the window' }),
        windowHours: Type.Integer({ description: 'the rolling window, in hours (168: a week)' }),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'null: no cap' },
);
const Policy = Type.Object(
  {
    frequencyCaps: Type.Object({ line: Cap, email: Cap }, { additionalProperties: false }),
    quietHours: Type.Union(
      [
        Type.Object(
          {
            start: Type.String({ maxLength: 5, description: 'JST, HH:MM' }),
            end: Type.String({
              maxLength: 5,
              description: 'JST, HH:MM; before start wraps midnight (21:00–09:00)',
            }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'null: none' },
    ),
  },
  { additionalProperties: false },
);
const tags = ['messaging'];

/** GET and PUT /v1/messaging/policy. */
export function registerPolicyRoutes(app: App, { database }: RouteDeps): void {
  app.get(
    '/v1/messaging/policy',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The send policy: frequency caps per channel and quiet hours (JST) for marketing sends',
        response: { 200: Policy },
      },
    },
    async (request) => getSendPolicy(database.db, principalOf(request).workspaceId),
  );
  app.put(
    '/v1/messaging/policy',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the send policy (applies to marketing sends from their next plan on)',
        body: Policy,
        response: { 200: Policy },
      },
    },
    async (request) => putSendPolicy(database.db, principalOf(request).workspaceId, request.body),
  );
}
