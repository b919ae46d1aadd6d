import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { DomainError } from '../shared/domain-error.ts';
import { openChannelForWebhook } from './channels.ts';
import { RichMenu } from './rich-menu-routes.ts';
import { uploadRichMenuImage } from './rich-menus.ts';
import { receiveWebhook } from './webhook-intake.ts';

/**
 * Routes that need the raw request bytes, in an encapsulated plugin with its own body parsers:
 * the webhook (its signature is over the exact bytes LINE sent) and rich-menu image upload.
 */
export function registerLineRawRoutes(app: App, { database, secrets, jobs, lineHosts }: RouteDeps): void {
  void app.register(async (scope: FastifyInstance) => {
    // Only the types these routes take: anything else is 415, not parsed as text and then
    // refused for a signature that was computed over bytes this scope never saw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/json', 'image/png', 'image/jpeg'],
      { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 },
      (_request, body, done) => done(null, body),
    );

    // Public: LINE authenticates by signature. An unknown channel answers 404 with nothing stored.
    // Any signed body answers 200 or 4xx: an event that cannot be handled is set aside, not a 500.
    scope.post<{ Params: { channelId: string } }>(
      '/line/webhook/:channelId',
      {
        schema: {
          tags: ['line'],
          summary: "LINE's webhook for a channel (called by LINE, not by integrations)",
          description:
            "Set this URL (the channel's webhookUrl) as the webhook in the LINE Developers console. " +
            'The body is the Messaging API webhook JSON (`{ destination, events: [...] }`), taken as raw bytes: ' +
            'the `x-line-signature` header (base64 HMAC-SHA256 of the exact body with the channel secret) is ' +
            'checked before anything is parsed, so no JSON schema validates it here. No API key: LINE ' +
            'authenticates by the signature. 401 when the signature does not match, 404 for an unknown channel, ' +
            '415 for a body that is not application/json.',
          params: Type.Object({
            channelId: Type.String({ maxLength: 100, description: "Kizuna's channel key (a UUID)" }),
          }),
          headers: Type.Object({
            'x-line-signature': Type.Optional(
              Type.String({ maxLength: 200, description: 'Signature of the raw body' }),
            ),
          }),
          response: {
            200: Type.Object(
              {
                received: Type.Integer({ description: 'Events in the body' }),
                stored: Type.Integer({ description: 'New events stored for processing' }),
                duplicates: Type.Integer({ description: 'Events already stored (LINE redeliveries)' }),
                setAside: Type.Integer({ description: 'Events that could not be read, kept for inspection' }),
              },
              { description: 'Stored; processing continues in the background' },
            ),
          },
        },
      },
      async (request, reply) => {
        const channel = await openChannelForWebhook(database.db, secrets, request.params.channelId);
        if (!channel) throw new DomainError('not_found', 'LINE channel not found');
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const signature = request.headers['x-line-signature'];
        const outcome = await receiveWebhook(database.db, jobs, channel, body, signature);
        return reply.code(200).send(outcome);
      },
    );

    scope.put<{ Params: { id: number } }>(
      '/v1/line/rich-menus/:id/image',
      {
        config: { scope: 'admin' },
        schema: {
          tags: ['line'],
          summary: 'Upload a rich menu image (image/png or image/jpeg body, ≤1 MB)',
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          response: { 200: RichMenu },
        },
      },
      async (request) => {
        const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
        const image = request.body as Buffer;
        return uploadRichMenuImage(
          database.db,
          secrets,
          lineHosts,
          principalOf(request).workspaceId,
          request.params.id,
          image,
          contentType,
        );
      },
    );
  });
}
