// Attribution REST API: sources (staff CRUD) with their tracked LIFF links, and the report.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Instant, Nullable, Yen } from '../shared/response-types.ts';
import { attributionReport } from './attribution-report.ts';
import {
  createSource,
  deleteSource,
  listSources,
  SOURCE_CODE_PATTERN,
  sourceUrl,
  updateSource,
} from './attribution-sources.ts';
import { liffIdsOf } from './liff-ids.ts';

const tags = ['attribution'];
const Kind = Type.Union(
  [
    Type.Literal('poster'),
    Type.Literal('receipt'),
    Type.Literal('leaflet'),
    Type.Literal('instagram'),
    Type.Literal('campaign'),
    Type.Literal('other'),
  ],
  { description: 'poster (店頭ポスター), receipt (レシート), leaflet (チラシ), instagram, campaign, other' },
);
const Name = Type.String({ minLength: 1, maxLength: 100, description: 'e.g. 渋谷店 レジ横ポスター' });
const Source = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  kind: Kind,
  createdAt: Instant(),
  urls: Type.Array(Type.String(), {
    description: "The tracked LIFF URL for each connected LIFF app (print it as the poster's QR code)",
  }),
});
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Row = Type.Object({
  sourceId: Nullable(Type.Integer()),
  code: Nullable(Type.String()),
  name: Type.String({ description: 'The source name; 不明 for friend-adds without a source' }),
  kind: Nullable(Kind),
  opens: Type.Integer({ description: 'LIFF first opens through the source in the range' }),
  friends: Type.Integer({ description: 'Friend-adds in the range (not unblocks)' }),
  customers: Type.Integer({ description: 'Customers acquired in the range' }),
  linkedMembers: Type.Integer({ description: 'Of them, also known by email, phone or member number' }),
  firstPurchases: Type.Integer({ description: 'Of them, first completed order after acquisition' }),
  revenue: Yen('Their completed-order revenue since acquisition, integer yen'),
  ltv: Yen('revenue / customers, rounded to the yen'),
});
const Day = (description: string) =>
  Type.String({ maxLength: 10, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description });

export function registerAttributionRoutes(app: App, { database, clock }: RouteDeps): void {
  const db = database.db;
  const withUrls = async (workspaceId: string, source: Awaited<ReturnType<typeof createSource>>) => ({
    ...source,
    urls: (await liffIdsOf(db, workspaceId)).map((liffId) => sourceUrl(liffId, source.code)),
  });
  app.get(
    '/v1/attribution/sources',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Attribution sources',
        response: { 200: Type.Object({ items: Type.Array(Source) }) },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      const liffIds = await liffIdsOf(db, workspaceId);
      const sources = await listSources(db, workspaceId);
      return { items: sources.map((s) => ({ ...s, urls: liffIds.map((id) => sourceUrl(id, s.code)) })) };
    },
  );
  app.post(
    '/v1/attribution/sources',
    {
      config: { scope: 'admin' as const },
      schema: {
        tags,
        summary: 'Add a source (a poster, receipt, leaflet, Instagram or campaign) with its tracked link',
        body: Type.Object(
          {
            code: Type.String({
              pattern: SOURCE_CODE_PATTERN,
              maxLength: 40,
              description: 'travels as ?src=',
            }),
            name: Name,
            kind: Kind,
          },
          { additionalProperties: false },
        ),
        response: { 201: Source },
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const source = await createSource(db, workspaceId, request.body, clock.now());
      return reply.code(201).send(await withUrls(workspaceId, source));
    },
  );
  app.put(
    '/v1/attribution/sources/:id',
    {
      config: { scope: 'admin' as const },
      schema: {
        tags,
        summary: 'Rename a source or change its kind (its code is printed: it cannot change)',
        params: IdParams,
        body: Type.Object({ name: Name, kind: Kind }, { additionalProperties: false }),
        response: { 200: Source },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      return withUrls(workspaceId, await updateSource(db, workspaceId, request.params.id, request.body));
    },
  );
  app.delete(
    '/v1/attribution/sources/:id',
    {
      config: { scope: 'admin' as const },
      schema: {
        tags,
        summary: 'Delete a source (its customers count as unknown afterwards)',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (request, reply) => {
      await deleteSource(db, principalOf(request).workspaceId, request.params.id);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/v1/analytics/attribution',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics', ...tags],
        summary: 'Friends, LIFF opens, linked members, first purchases and LTV by source (JST days)',
        querystring: Type.Object(
          {
            from: Type.Optional(Day('First JST day, YYYY-MM-DD (default: 29 days before to)')),
            to: Type.Optional(Day('Last JST day, YYYY-MM-DD, included (default: today)')),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: Type.String(),
            to: Type.String(),
            rows: Type.Array(Row, { maxItems: 10000 }),
          }),
        },
      },
    },
    async (request) => attributionReport(db, principalOf(request).workspaceId, request.query, clock.now()),
  );
}
