// Editing customers by hand (the console's karte): the profile and tags, and merging a duplicate
// with a preview of what the survivor keeps.
import { Type } from 'typebox';
import { transact } from '../db/transact.ts';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Customer } from './customer-schema.ts';
import { getCustomer } from './get-customer.ts';
import { mergeCustomers } from './merge-customers.ts';
import { liveMergePair, previewMerge } from './merge-preview.ts';
import { CustomerPatch, updateCustomer } from './update-customer.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const MergeBody = Type.Object(
  { duplicateId: Type.Integer({ minimum: 1, description: 'The other record of the same person' }) },
  { additionalProperties: false },
);
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Counts = Type.Array(Type.Object({ customerId: Type.Integer(), rows: Type.Integer() }));

const MergePreview = Type.Object({
  survivorId: Type.Integer({ description: 'The older record (lower id), which keeps everything' }),
  mergedId: Type.Integer({
    description: 'The record that is merged away (its id then answers with the survivor)',
  }),
  customers: Type.Array(Customer, { description: 'The two records as they are now, survivor first' }),
  survivor: Type.Object({
    familyName: Nullable,
    givenName: Nullable,
    familyNameKana: Nullable,
    givenNameKana: Nullable,
    birthday: Nullable,
    gender: Nullable,
    prefecture: Nullable,
    postalCode: Nullable,
    acquisitionSource: Nullable,
    tags: Type.Array(Type.String()),
    interests: Type.Array(Type.String()),
    registeredAt: Type.String({ format: 'date-time' }),
    identities: Customer.properties.identities,
  }),
  sources: Type.Array(Type.Object({ field: Type.String(), customerId: Type.Integer() }), {
    description: 'Which record each profile field comes from',
  }),
  tables: Type.Array(
    Type.Object({
      table: Type.String(),
      owner: Type.String({ description: 'The capability that declares the table' }),
      onMerge: Type.String({ description: 'move, recompute, drop or custom (the declared merge rule)' }),
      counts: Counts,
    }),
  ),
  figures: Type.Array(
    Type.Object({
      name: Type.String({ description: 'points: the loyalty balance' }),
      byCustomer: Type.Array(Type.Object({ customerId: Type.Integer(), value: Type.Integer() })),
      after: Type.Integer(),
    }),
  ),
});

export function registerCustomerEditRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.patch(
    '/v1/customers/:id',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['customers'],
        summary:
          'Edit a customer: names, kana, birthday, gender, prefecture, postal code, interests, custom attributes, email, phone and tags (409 when updatedAt is stale or the email or phone belongs to another customer)',
        params: IdParams,
        body: CustomerPatch,
        response: { 200: Customer },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      await transact(db, async (tx) => {
        await updateCustomer(tx, workspaceId, request.params.id, request.body, deps.clock.now());
        await deps.jobs?.publish(tx, 'customers.changed', { workspaceId, customerIds: [request.params.id] });
      });
      return getCustomer(db, workspaceId, request.params.id);
    },
  );
  app.get(
    '/v1/customers/:id/merge/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['customers'],
        summary:
          'What merging duplicateId with this customer would leave (profile, identities, rows per table, points), by the merge rules, writing nothing',
        params: IdParams,
        querystring: MergeBody,
        response: { 200: MergePreview },
      },
    },
    async (request) =>
      previewMerge(db, principalOf(request).workspaceId, request.params.id, request.query.duplicateId),
  );
  app.post(
    '/v1/customers/:id/merge',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['customers'],
        summary:
          'Merge two records of one person: the older (lower id) survives and keeps everything, as the preview shows',
        params: IdParams,
        body: MergeBody,
        response: {
          200: Type.Object({ survivorId: Type.Integer(), mergedIds: Type.Array(Type.Integer()) }),
        },
      },
    },
    async (request) => {
      const { workspaceId, actor } = principalOf(request);
      return transact(db, async (tx) => {
        const pair = await liveMergePair(tx, workspaceId, request.params.id, request.body.duplicateId);
        const merged = await mergeCustomers(
          tx,
          workspaceId,
          pair.map((r) => r.id),
          { identities: [], source: `manual:${actor}` },
        );
        await deps.jobs?.publish(tx, 'customers.changed', {
          workspaceId,
          customerIds: [merged.survivorId, ...merged.mergedIds],
        });
        return merged;
      });
    },
  );
}
