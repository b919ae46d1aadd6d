// /v1/email/templates: MJML templates with Liquid (refused at save with the line and reason) and a
// preview rendered for one customer.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { previewDraft, previewTemplate } from './preview.ts';
import { getTemplate, listTemplates, saveTemplate } from './templates.ts';

const tags = ['email'];
const Kind = Type.Union([Type.Literal('marketing'), Type.Literal('transactional')]);
const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  subject: Type.String({
    minLength: 1,
    maxLength: 300,
    description: 'UTF-8; Japanese is encoded per RFC 2047 on the wire',
  }),
  mjml: Type.String({ minLength: 1, maxLength: 200_000, description: 'an <mjml> document' }),
  kind: Type.Optional(Kind),
};
const Body = Type.Object(fields, { additionalProperties: false });
const Summary = {
  id: Type.Integer(),
  name: Type.String(),
  subject: Type.String(),
  kind: Kind,
  updatedAt: Type.String({ format: 'date-time' }),
};
const Template = Type.Object({ ...Summary, mjml: Type.String(), html: Type.String(), text: Type.String() });
const Preview = Type.Object({
  to: Type.Union([Type.String(), Type.Null()], {
    description: "the customer's email address; null: none (a send would skip them), or the sample customer",
  }),
  subject: Type.String(),
  html: Type.String(),
  text: Type.String(),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export function registerTemplateRoutes(app: App, { database, secrets, clock, publicUrl }: RouteDeps): void {
  const db = database.db;
  app.post(
    '/v1/email/templates',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary:
          'Save an MJML template with Liquid (refused with the MJML line, or the Liquid line and column, and the reason)',
        body: Body,
        response: { 201: Template },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await saveTemplate(db, principalOf(request).workspaceId, request.body, clock.now())),
  );
  app.post(
    '/v1/email/templates/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          'Render an unsaved template (the editor): checked as a save is (refused naming the field), then shown for the customer, or for a sample customer (山田 花子, with points, tier, coupon and recommendations)',
        body: Type.Object(
          { ...fields, customerId: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: Preview },
      },
    },
    async (request) => previewDraft(db, secrets, publicUrl, principalOf(request).workspaceId, request.body),
  );
  app.put(
    '/v1/email/templates/:id',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Replace a template',
        params: IdParams,
        body: Body,
        response: { 200: Template },
      },
    },
    async (request) =>
      saveTemplate(db, principalOf(request).workspaceId, request.body, clock.now(), request.params.id),
  );
  app.get(
    '/v1/email/templates',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The email templates',
        response: { 200: Type.Object({ items: Type.Array(Type.Object(Summary)) }) },
      },
    },
    async (request) => ({ items: await listTemplates(db, principalOf(request).workspaceId) }),
  );
  app.get(
    '/v1/email/templates/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'A template with its compiled HTML and text',
        params: IdParams,
        response: { 200: Template },
      },
    },
    async (request) => getTemplate(db, principalOf(request).workspaceId, request.params.id),
  );
  app.post(
    '/v1/email/templates/:id/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary:
          'Render a template as one customer would get it (their Liquid variables, their address, the footer and unsubscribe link of marketing mail)',
        params: IdParams,
        body: Type.Object({ customerId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        response: { 200: Preview },
      },
    },
    async (request) =>
      previewTemplate(
        db,
        secrets,
        publicUrl,
        principalOf(request).workspaceId,
        request.params.id,
        request.body.customerId,
      ),
  );
}
