// LINE sends: create one (`send`), read its progress and messages (`read`), resume one paused by the quota.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { createSend, getSend, listSendMessages, resumeSend } from './sends.ts';

const Message = Type.Object({ type: Type.String({ maxLength: 50 }) }, { additionalProperties: true });
const Messages = Type.Array(Message, { minItems: 1, maxItems: 5 });
const Counts = Type.Object({
  queued: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
});
const Send = Type.Object({
  id: Type.Integer(),
  channelId: Type.String(),
  origin: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('sending'),
    Type.Literal('paused'),
    Type.Literal('done'),
  ]),
  kind: Type.Union([Type.Literal('marketing'), Type.Literal('transactional')]),
  quietHours: Type.Union([Type.Literal('hold'), Type.Literal('skip')], {
    description: 'what a marketing send does in quiet hours: wait for them to end, or skip',
  }),
  pausedReason: Type.Union([Type.String(), Type.Null()], {
    description: 'monthly_quota_exhausted (resume it), or quiet_hours (it goes on at resumeAt)',
  }),
  resumeAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  aggregationUnit: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
  counts: Counts,
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['line'];

/** LINE sends and their messages. */
export function registerSendRoutes(app: App, deps: RouteDeps): void {
  const { database, jobs } = deps;
  const db = database.db;
  app.post(
    '/v1/line/sends',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Send LINE messages to customers (shared content as multicast, personalised as push)',
        body: Type.Object(
          {
            channelId: Type.String({ maxLength: 100 }),
            idempotencyKey: Type.String({ minLength: 1, maxLength: 200 }),
            messages: Messages,
            customerIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 }),
            personalized: Type.Optional(
              Type.Array(Type.Object({ customerId: Type.Integer({ minimum: 1 }), messages: Messages }), {
                maxItems: 100_000,
              }),
            ),
            origin: Type.Optional(Type.String({ maxLength: 200 })),
            aggregationUnit: Type.Optional(Type.String({ maxLength: 30, pattern: '^[a-zA-Z0-9_]{1,30}$' })),
            kind: Type.Optional(
              Type.Union([Type.Literal('marketing'), Type.Literal('transactional')], {
                description:
                  'marketing (default): frequency cap and quiet hours apply; transactional: neither, but blocks and transactional opt-outs do',
              }),
            ),
            quietHours: Type.Optional(Type.Union([Type.Literal('hold'), Type.Literal('skip')])),
          },
          { additionalProperties: false },
        ),
        response: { 202: Send },
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      return reply.code(202).send(await createSend(db, jobs, workspaceId, request.body));
    },
  );
  app.get(
    '/v1/line/sends/:id',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'A send and its message counts', params: IdParams, response: { 200: Send } },
    },
    async (request) => getSend(db, principalOf(request).workspaceId, request.params.id),
  );
  app.get(
    '/v1/line/sends/:id/messages',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "Per-message status of a send (queued, sent, failed with LINE's reason, skipped)",
        params: IdParams,
        querystring: Type.Object({
          cursor: Type.Optional(
            Type.String({
              maxLength: 15,
              pattern: '^[0-9]{1,15}$',
              description: 'nextCursor from the previous page',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          customerId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer({ description: "the message's place in the send" }),
                customerId: Type.Integer(),
                lineUserId: Type.Union([Type.String(), Type.Null()]),
                status: Type.String({ description: 'queued, sent, failed or skipped' }),
                reason: Type.Union([Type.String(), Type.Null()], {
                  description:
                    "why it was skipped (blocked, no_consent, capped, quiet_hours, …) or LINE's reason for a failure",
                }),
                rule: Type.Union([Type.String(), Type.Null()], {
                  description: 'the policy rule behind a capped or quiet_hours skip (cap:line:2/168h)',
                }),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()], {
              description: 'Pass as `cursor` for the next page; null on the last page',
            }),
          }),
        },
      },
    },
    async (request) => {
      const { cursor, limit = 100, customerId } = request.query;
      const { items } = await listSendMessages(db, principalOf(request).workspaceId, request.params.id, {
        limit,
        ...(cursor !== undefined ? { afterSeq: Number(cursor) } : {}),
        ...(customerId !== undefined ? { customerId } : {}),
      });
      return { items, nextCursor: items.length === limit ? String(items.at(-1)!.seq) : null };
    },
  );
  app.post(
    '/v1/line/sends/:id/resume',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Resume a send paused by the monthly quota',
        params: IdParams,
        response: { 200: Send },
      },
    },
    async (request) => resumeSend(db, jobs, principalOf(request).workspaceId, request.params.id),
  );
}
