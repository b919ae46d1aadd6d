import { Type } from 'typebox';
import { transact } from '../db/transact.ts';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { registerBatchRoute } from '../ingest/batch-route.ts';
import { invalid, notFound } from '../shared/domain-error.ts';
import { consentHistory, recordConsent } from './consent.ts';
import {
  ConsentInput,
  Customer,
  CustomerInput,
  type CustomerInput as CustomerInputType,
  CustomerPage,
} from './customer-schema.ts';
import { registerCustomerEditRoutes } from './edit-routes.ts';
import { getCustomer, liveCustomerId } from './get-customer.ts';
import { LOOKUP_KINDS, lookupCustomer } from './lookup-customer.ts';
import { searchCustomers } from './search-customers.ts';
import { MAX_SEARCH_LENGTH } from './search-key.ts';
import { prepareCustomer, type UpsertOutcome, upsertCustomer } from './upsert-customer.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

/** One change of a customer's consent, as recorded (consent history is never rewritten). */
const ConsentHistoryEntry = Type.Object({
  channel: Type.String({ description: 'line, email, sms, …' }),
  purpose: Type.String({ description: 'marketing, …' }),
  status: Type.String({ description: 'granted, withdrawn, blocked, …' }),
  source: Type.String({ description: 'where it was given or withdrawn: web_form, line_follow, …' }),
  actor: Type.Union([Type.String(), Type.Null()], {
    description: 'api_key:<id> or user:<id>; null when recorded by Kizuna itself',
  }),
  occurredAt: Type.String({ format: 'date-time' }),
  recordedAt: Type.String({ format: 'date-time' }),
});

export function registerCustomerRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  registerBatchRoute<CustomerInputType, UpsertOutcome>(app, deps, {
    path: '/v1/customers',
    field: 'customers',
    tag: 'customers',
    summary:
      'Create or update customers by any identity (merging records that turn out to be one person); up to 1,000 per request',
    item: CustomerInput,
    result: Type.Object({
      id: Type.Integer(),
      created: Type.Boolean(),
      mergedIds: Type.Array(Type.Integer()),
    }),
    write: async (tx, workspaceId, items, publish) => {
      // Check every item before writing any, so a rejected batch reports all of its problems.
      const problems = [];
      for (const { index, item } of items)
        problems.push(
          ...(await prepareCustomer(tx, workspaceId, item, `customers[${index}]`, index)).problems,
        );
      if (problems.length) throw invalid(problems);
      const out = [];
      for (const { index, item } of items) {
        out.push({
          index,
          ...(await upsertCustomer(tx, workspaceId, item, {
            base: `customers[${index}]`,
            source: 'api',
            index,
          })),
        });
      }
      // Segments and other subscribers re-evaluate the customers a profile change touched.
      const customerIds = out.flatMap((o) => [o.id, ...o.mergedIds]);
      if (customerIds.length) await publish(tx, 'customers.changed', { workspaceId, customerIds });
      return out;
    },
  });
  app.get(
    '/v1/customers',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary:
          'List customers, newest first; with q, those whose name, kana, email, phone, external id, member number or LINE display name starts with q',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          cursor: Type.Optional(
            Type.String({
              maxLength: 15,
              pattern: '^[0-9]{1,15}$',
              description: 'nextCursor from the previous page',
            }),
          ),
          q: Type.Optional(
            Type.String({
              minLength: 1,
              maxLength: MAX_SEARCH_LENGTH,
              description:
                'Prefix to search for. Kana in hiragana, katakana or half-width katakana alike (たなか, タナカ, ﾀﾅｶ); phones in any format (090-1234, +81 90 1234); emails in any case',
            }),
          ),
        }),
        response: { 200: CustomerPage },
      },
    },
    async (request) =>
      searchCustomers(db, principalOf(request).workspaceId, {
        limit: request.query.limit ?? 50,
        ...(request.query.cursor ? { after: Number(request.query.cursor) } : {}),
        ...(request.query.q === undefined ? {} : { q: request.query.q }),
      }),
  );
  app.get(
    '/v1/customers/lookup',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary:
          'The customer holding one identity (LINE userId, email, phone in any format, external id) or loyalty member number; 404 when none does',
        querystring: Type.Object({
          kind: Type.Union(LOOKUP_KINDS.map((k) => Type.Literal(k))),
          value: Type.String({ minLength: 1, maxLength: MAX_SEARCH_LENGTH }),
          namespace: Type.Optional(
            Type.String({
              maxLength: 40,
              description: 'For kind=external: the issuing system (member_no, shopify, ...)',
            }),
          ),
        }),
        response: { 200: Customer },
      },
    },
    async (request) => {
      const { kind, value, namespace } = request.query;
      return lookupCustomer(db, principalOf(request).workspaceId, {
        kind,
        value,
        ...(namespace === undefined ? {} : { namespace }),
      });
    },
  );
  app.get(
    '/v1/customers/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary: 'One customer with identities and current consent',
        params: IdParams,
        response: { 200: Customer },
      },
    },
    async (request) => getCustomer(db, principalOf(request).workspaceId, request.params.id),
  );
  app.get(
    '/v1/customers/:id/consents',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary: 'Consent history, oldest first',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(ConsentHistoryEntry) }) },
      },
    },
    async (request) => {
      const workspaceId = principalOf(request).workspaceId;
      const id = await liveCustomerId(db, workspaceId, request.params.id);
      if (id === undefined) throw notFound(`customer ${request.params.id}`);
      return { items: await consentHistory(db, workspaceId, id) };
    },
  );
  app.post(
    '/v1/customers/:id/consents',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['customers'],
        summary: 'Record a consent change (kept as history)',
        params: IdParams,
        body: ConsentInput,
        response: {
          200: Type.Object({
            recorded: Type.Boolean({
              description:
                'false when the change repeats the current status (a retry): nothing new is recorded',
            }),
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId, actor } = principalOf(request);
      const { occurredAt, ...change } = request.body;
      const recorded = await transact(db, async (tx) => {
        const id = await liveCustomerId(tx, workspaceId, request.params.id);
        if (id === undefined) throw notFound(`customer ${request.params.id}`);
        const result = await recordConsent(tx, workspaceId, id, {
          ...change,
          actor,
          occurredAt: occurredAt ? new Date(occurredAt) : deps.clock.now(),
        });
        await deps.jobs?.publish(tx, 'customers.changed', { workspaceId, customerIds: [id] });
        return result;
      });
      return { recorded };
    },
  );
  registerCustomerEditRoutes(app, deps);
}
