// /v1/email: the sender, sends (through the messaging core) with their messages, and a test mail.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { createEmailSend, getEmailSend, listEmailMessages } from './email-sends.ts';
import { registerPublicEmailRoutes } from './public-routes.ts';
import { activateDkimKey, getSender, putSender, rotateDkimKey } from './sender.ts';
import { registerTemplateRoutes } from './template-routes.ts';
import { sendTestEmail } from './test-send.ts';

const tags = ['email'];
const Str = (max: number, description?: string) =>
  Type.String({ maxLength: max, ...(description ? { description } : {}) });
const Sender = Type.Object({
  id: Type.String(),
  fromName: Str(100),
  fromAddress: Str(254),
  replyTo: Type.Union([Str(254), Type.Null()]),
  postalAddress: Str(300, '送信者の住所 (特定電子メール法)'),
  contact: Str(300, '苦情・問い合わせ先 (phone, email or URL)'),
  returnDomain: Str(253),
  dkimSelector: Str(63),
  dkimEd25519Selector: Type.Union([Str(63), Type.Null()], {
    description:
      'the Ed25519 key (RFC 8463), made by `kizuna email dkim --algorithm ed25519`; null: RSA only',
  }),
  dkimPendingSelector: Type.Union([Str(63), Type.Null()], {
    description:
      'the RSA key made by a rotation, not signing yet: publish its record, then POST /v1/email/sender/dkim/activate; null: none',
  }),
  dkimRetiredSelector: Type.Union([Str(63), Type.Null()], {
    description:
      'the RSA key that signed before the last activation; its record can be removed after a few days',
  }),
  dnsRecords: Type.Array(
    Type.Object({
      name: Str(300),
      type: Type.Literal('TXT'),
      value: Str(2000),
      purpose: Str(300),
      state: Type.Union([Type.Literal('active'), Type.Literal('pending'), Type.Literal('retired')], {
        description: 'active: keep; pending: publish, then activate; retired: remove after a few days',
      }),
    }),
  ),
  yenPerMessage: Type.Number({
    description:
      "What one message costs through the shop's relay, in yen; the results of campaigns and journeys count it",
  }),
});
const Send = Type.Object({
  id: Type.Integer(),
  channelId: Type.String(),
  origin: Type.String(),
  status: Type.String({ description: 'queued, sending, paused or done' }),
  kind: Type.Union([Type.Literal('marketing'), Type.Literal('transactional')]),
  pausedReason: Type.Union([Type.String(), Type.Null()]),
  resumeAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  total: Type.Integer(),
  counts: Type.Object({
    queued: Type.Integer(),
    sent: Type.Integer(),
    failed: Type.Integer(),
    skipped: Type.Integer(),
  }),
  createdAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function registerEmailRoutes(app: App, deps: RouteDeps): void {
  const { database, jobs, secrets } = deps;
  const db = database.db;
  registerPublicEmailRoutes(app, deps);
  registerTemplateRoutes(app, deps);
  app.get(
    '/v1/email/sender',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The workspace's email sender and the DNS records to publish",
        response: { 200: Sender },
      },
    },
    async (request) => getSender(db, principalOf(request).workspaceId),
  );
  app.put(
    '/v1/email/sender',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Set the email sender (the first call makes its RSA-2048 DKIM key)',
        body: Type.Object(
          {
            fromName: Str(100),
            fromAddress: Str(254),
            replyTo: Type.Optional(Type.Union([Str(254), Type.Null()])),
            postalAddress: Str(300),
            contact: Str(300),
            returnDomain: Type.Optional(Str(253)),
            dkimSelector: Type.Optional(Str(63)),
            yenPerMessage: Type.Optional(
              Type.Number({
                minimum: 0,
                maximum: 1000,
                description:
                  "What one message costs through the shop's relay, in yen (e.g. 0.1); kept when absent; 0 by default",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Sender },
      },
    },
    async (request) => putSender(db, secrets, principalOf(request).workspaceId, request.body),
  );
  app.post(
    '/v1/email/sender/dkim/rotate',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          'Make a new DKIM key (as `kizuna email dkim --rotate`): rsa makes a pending key under a new selector while the current key keeps signing (publish its record, then activate it); ed25519 adds or replaces the Ed25519 key (RSA keeps signing beside it)',
        body: Type.Object(
          { algorithm: Type.Union([Type.Literal('rsa'), Type.Literal('ed25519')]) },
          { additionalProperties: false },
        ),
        response: { 200: Sender },
      },
    },
    async (request) => rotateDkimKey(db, secrets, principalOf(request).workspaceId, request.body.algorithm),
  );
  app.post(
    '/v1/email/sender/dkim/activate',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          'Sign mail with the pending DKIM key from now on (as `kizuna email dkim --activate`); the previous key is retired: nothing signs with it, its record can be removed after a few days. 409 when no key is pending',
        response: { 200: Sender },
      },
    },
    async (request) => activateDkimKey(db, principalOf(request).workspaceId),
  );
  app.post(
    '/v1/email/sends',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Send an email (a template or given content) to customers through the messaging core',
        body: Type.Object(
          {
            idempotencyKey: Type.String({ minLength: 1, maxLength: 200 }),
            templateId: Type.Optional(Type.Integer({ minimum: 1 })),
            content: Type.Optional(
              Type.Object(
                { subject: Str(300), html: Str(500_000), text: Str(500_000) },
                { additionalProperties: false },
              ),
            ),
            customerIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 }),
            origin: Type.Optional(Str(200)),
            kind: Type.Optional(Type.Union([Type.Literal('marketing'), Type.Literal('transactional')])),
            quietHours: Type.Optional(Type.Union([Type.Literal('hold'), Type.Literal('skip')])),
          },
          { additionalProperties: false },
        ),
        response: { 202: Send },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await createEmailSend(
            db,
            { jobs, secrets, publicUrl: deps.publicUrl },
            principalOf(request).workspaceId,
            request.body,
          ),
        ),
  );
  app.get(
    '/v1/email/sends/:id',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'An email send and its counts', params: IdParams, response: { 200: Send } },
    },
    async (request) => getEmailSend(db, principalOf(request).workspaceId, request.params.id),
  );
  app.get(
    '/v1/email/sends/:id/messages',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          'Per-message status: sent, failed with the SMTP reply, skipped with the reason; opens (estimated) and bounces',
        params: IdParams,
        querystring: Type.Object({
          afterSeq: Type.Optional(Type.Integer({ minimum: -1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                customerId: Type.Integer(),
                address: Type.Union([Type.String(), Type.Null()]),
                status: Type.String(),
                reason: Type.Union([Type.String(), Type.Null()]),
                opened: Type.Boolean({
                  description: 'estimated: Apple Mail Privacy Protection loads every pixel',
                }),
                feedback: Type.Union([Type.String(), Type.Null()], {
                  description: 'hard_bounce, soft_bounce, complaint or unsubscribe',
                }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({
      items: await listEmailMessages(db, principalOf(request).workspaceId, request.params.id, request.query),
    }),
  );
  app.post(
    '/v1/email/test',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Send a test email from the sender to one address, now',
        body: Type.Object({ to: Str(254) }, { additionalProperties: false }),
        response: { 200: Type.Object({ messageId: Type.String(), response: Type.String() }) },
      },
    },
    async (request) =>
      sendTestEmail(db, secrets, deps.email?.smtp, principalOf(request).workspaceId, request.body.to),
  );
}
