import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { issueLinkToken, startAccountLink } from './account-link.ts';
import { listChannels, openChannel, saveChannel } from './channels.ts';
import { registerRichMenuRoutes } from './rich-menu-routes.ts';
import { createSend, getSend, listSendMessages, resumeSend } from './sends.ts';
import { registerWebhookEventRoutes } from './webhook-event-routes.ts';
import { registerLineRawRoutes } from './webhook-route.ts';

const Channel = Type.Object({
  id: Type.String({ description: 'Kizuna key of the channel; the last segment of the webhook URL' }),
  lineChannelId: Type.String(),
  name: Type.String(),
  channelSecret: Type.String({ description: 'masked' }),
  accessToken: Type.String({ description: 'masked' }),
  apiBaseUrl: Type.String(),
  dataApiBaseUrl: Type.String(),
  webhookUrl: Type.String({ description: 'paste into the LINE Developers console' }),
  createdAt: Type.String(),
});
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
  pausedReason: Type.Union([Type.String(), Type.Null()]),
  aggregationUnit: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
  counts: Counts,
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});
const ChannelParams = Type.Object({ channelId: Type.String({ maxLength: 100 }) });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['line'];

export function registerLineRoutes(app: App, deps: RouteDeps): void {
  const { database, secrets, publicUrl, jobs, lineHosts } = deps;
  const db = database.db;
  registerLineRawRoutes(app, deps);
  registerRichMenuRoutes(app, deps);
  registerWebhookEventRoutes(app, deps);

  app.put(
    '/v1/line/channels/:lineChannelId',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Connect a LINE Messaging API channel (or replace its secret and token)',
        params: Type.Object({ lineChannelId: Type.String({ maxLength: 20, pattern: '^[0-9]{1,20}$' }) }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ maxLength: 200 })),
            channelSecret: Type.String({ minLength: 1, maxLength: 200 }),
            accessToken: Type.String({ minLength: 1, maxLength: 2000 }),
            apiBaseUrl: Type.Optional(Type.String({ maxLength: 500 })),
            dataApiBaseUrl: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Channel },
      },
    },
    async (request) => {
      const input = { lineChannelId: request.params.lineChannelId, ...request.body };
      return saveChannel(db, secrets, publicUrl, principalOf(request).workspaceId, input, lineHosts);
    },
  );
  app.get(
    '/v1/line/channels',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Connected channels (secrets masked)',
        response: { 200: Type.Object({ items: Type.Array(Channel) }) },
      },
    },
    async (request) => ({
      items: await listChannels(db, secrets, publicUrl, principalOf(request).workspaceId),
    }),
  );

  app.post(
    '/v1/line/channels/:channelId/link-tokens',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Account link, step 1: a link token for a LINE user (valid 10 minutes, single use)',
        params: ChannelParams,
        body: Type.Object(
          { lineUserId: Type.String({ maxLength: 33, pattern: '^U[0-9a-f]{32}$' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ linkToken: Type.String() }) },
      },
    },
    async (request) => {
      const channel = await openChannel(
        db,
        secrets,
        principalOf(request).workspaceId,
        request.params.channelId,
      );
      return { linkToken: await issueLinkToken(channel, lineHosts, request.body.lineUserId) };
    },
  );
  app.post(
    '/v1/line/channels/:channelId/account-links',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary:
          'Account link, step 2: after your site signed the customer in, a nonce and the LINE dialog URL to redirect to',
        params: ChannelParams,
        body: Type.Object(
          {
            customerId: Type.Integer({ minimum: 1 }),
            linkToken: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ nonce: Type.String(), redirectUrl: Type.String(), expiresAt: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const channel = await openChannel(
        db,
        secrets,
        principalOf(request).workspaceId,
        request.params.channelId,
      );
      return reply
        .code(201)
        .send(await startAccountLink(db, channel, request.body.customerId, request.body.linkToken));
    },
  );

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
          afterSeq: Type.Optional(Type.Integer({ minimum: -1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          customerId: Type.Optional(Type.Integer({ minimum: 1 })),
        }),
      },
    },
    async (request) =>
      listSendMessages(db, principalOf(request).workspaceId, request.params.id, request.query),
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
