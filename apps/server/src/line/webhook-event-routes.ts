import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { listSetAsideEvents, retrySetAsideEvent } from './event-failures.ts';

const SetAsideEvent = Type.Object({
  webhookEventId: Type.String(),
  channelId: Type.String(),
  type: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  setAsideAt: Type.String({ format: 'date-time' }),
  attempts: Type.Integer({ description: 'failed attempts before it was set aside' }),
  reason: Type.Union([Type.String(), Type.Null()], {
    description: 'why it was set aside (the last failure)',
  }),
  payload: Type.Unknown({ description: 'the event as LINE sent it (NUL and lone surrogates replaced)' }),
});
const tags = ['line'];

/** The operator's view of webhook events set aside (event-failures.ts), and putting one back. */
export function registerWebhookEventRoutes(app: App, { database, jobs }: RouteDeps): void {
  const db = database.db;
  app.get(
    '/v1/line/webhook-events/set-aside',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          'Webhook events set aside because their handling kept failing (or can never succeed), newest first, with the reason',
        querystring: Type.Object({
          channelId: Type.Optional(
            Type.String({ format: 'uuid', maxLength: 36, description: 'a LINE channel id in Kizuna' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        }),
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(SetAsideEvent) }) },
      },
    },
    async (request) => listSetAsideEvents(db, principalOf(request).workspaceId, request.query),
  );
  app.post(
    '/v1/line/webhook-events/:webhookEventId/retry',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Put a set-aside webhook event back, once its cause is fixed: it is processed again at once',
        params: Type.Object({ webhookEventId: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: {
          202: Type.Object({
            webhookEventId: Type.String(),
            channelId: Type.String(),
            queued: Type.Boolean(),
          }),
        },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await retrySetAsideEvent(db, jobs, principalOf(request).workspaceId, request.params.webhookEventId),
        ),
  );
}
