// LINE channels (`admin`) and account linking: link tokens for a member, and the link start.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { issueLinkToken, startAccountLink } from './account-link.ts';
import { checkChannel } from './channel-check.ts';
import { listChannels, openChannel, saveChannel } from './channels.ts';

const Channel = Type.Object({
  id: Type.String({ description: 'Kizuna key of the channel; the last segment of the webhook URL' }),
  lineChannelId: Type.String(),
  name: Type.String(),
  channelSecret: Type.String({ description: 'masked' }),
  accessToken: Type.String({ description: 'masked' }),
  apiBaseUrl: Type.String(),
  dataApiBaseUrl: Type.String(),
  webhookUrl: Type.String({ description: 'paste into the LINE Developers console' }),
  createdAt: Type.String({ format: 'date-time' }),
});
const ChannelParams = Type.Object({ channelId: Type.String({ maxLength: 100 }) });
const tags = ['line'];
const ChannelCheck = Type.Object({
  accessTokenValid: Type.Boolean({ description: 'False when LINE refused the access token (401)' }),
  bot: Type.Union([
    Type.Object({ userId: Type.String(), basicId: Type.String(), displayName: Type.String() }),
    Type.Null(),
  ]),
  webhook: Type.Union([
    Type.Object({
      expected: Type.String({ description: "Kizuna's webhook URL for this channel" }),
      configured: Type.String({
        description: "The webhook URL in the LINE Developers console ('' when none)",
      }),
      active: Type.Boolean({ description: 'Whether "Use webhook" is on in the LINE Developers console' }),
      reached: Type.Boolean({
        description: "Whether LINE's test post to Kizuna's webhook URL was answered 2xx",
      }),
      statusCode: Type.Integer({ description: 'Status of that test post (0: no answer)' }),
      reason: Type.String({ description: "LINE's reason when the test post failed" }),
    }),
    Type.Null(),
  ]),
});

/** LINE channel settings and account links. */
export function registerChannelRoutes(app: App, deps: RouteDeps): void {
  const { database, secrets, publicUrl, lineHosts } = deps;
  const db = database.db;
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
    '/v1/line/channels/:channelId/check',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          "Connection check: LINE's answer to the access token (the bot's profile), the webhook URL set in the LINE Developers console, and a test post from LINE to Kizuna's webhook URL",
        params: ChannelParams,
        response: { 200: ChannelCheck },
      },
    },
    async (request) =>
      checkChannel(
        db,
        secrets,
        lineHosts,
        publicUrl,
        principalOf(request).workspaceId,
        request.params.channelId,
      ),
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
          201: Type.Object({
            nonce: Type.String(),
            redirectUrl: Type.String(),
            expiresAt: Type.String({ format: 'date-time' }),
          }),
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
}
