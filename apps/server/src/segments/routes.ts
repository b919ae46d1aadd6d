import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Instant, Nullable, Page } from '../shared/response-types.ts';
import { membershipSizes } from './membership-sizes.ts';
import { membershipEvents } from './segment-jobs.ts';
import {
  createSegment,
  deleteSegment,
  getSegment,
  listMembers,
  listSegments,
  previewDefinition,
  updateSegment,
} from './segment-store.ts';
import { TEMPLATES } from './templates.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Definition = Type.Unknown({ description: 'The rule tree (see src/segments/README.md)' });
const SegmentBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    definition: Type.Optional(Definition),
    template: Type.Optional(Type.String({ maxLength: 100, description: 'Start from a built-in template' })),
  },
  { additionalProperties: false },
);
const tags = ['segments'];

const Segment = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  definition: Definition,
  template: Nullable(Type.String({ description: 'Key of the template it was created from' })),
  timeBased: Type.Boolean({ description: 'Membership changes with time alone (re-evaluated daily)' }),
  memberCount: Type.Integer(),
  evaluatedAt: Nullable(Instant()),
  createdAt: Instant(),
  updatedAt: Instant(),
});
const Bilingual = Type.Object({ ja: Type.String(), en: Type.String() });
const Template = Type.Object({
  key: Type.String(),
  name: Bilingual,
  description: Bilingual,
  definition: Definition,
});
const MembershipEvent = Type.Object({
  id: Type.Integer({ description: 'Pass as `after` to read the events that follow' }),
  customerId: Type.Integer(),
  kind: Type.String({ description: 'entered or exited' }),
  occurredAt: Instant(),
});

export function registerSegmentRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/segments/templates',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Built-in segment templates (ja/en) with definitions (one page: nextCursor is null)',
        response: { 200: Page(Template) },
      },
    },
    async () => ({ items: [...TEMPLATES], nextCursor: null }),
  );
  app.post(
    '/v1/segments/preview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Count and sample of the customers an unsaved definition matches',
        body: Type.Object(
          { definition: Definition, sample: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            count: Type.Integer(),
            sample: Type.Array(
              Type.Object({
                id: Type.Integer(),
                familyName: Nullable(Type.String()),
                givenName: Nullable(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async (request) =>
      previewDefinition(db, principalOf(request).workspaceId, request.body.definition, {
        sample: request.body.sample ?? 20,
        now: deps.clock.now(),
      }),
  );
  app.get(
    '/v1/segments',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "List the workspace's segments (one page: nextCursor is null)",
        response: { 200: Page(Segment) },
      },
    },
    async (request) => ({
      items: await listSegments(db, principalOf(request).workspaceId),
      nextCursor: null,
    }),
  );
  app.post(
    '/v1/segments',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Create a segment (evaluated at once)',
        body: SegmentBody,
        response: { 201: Segment },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const segment = await createSegment(db, principal.workspaceId, request.body, {
        actor: principal.actor,
        now: deps.clock.now(),
      });
      return reply.status(201).send(segment);
    },
  );
  app.get(
    '/v1/segments/:id',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'One segment', params: IdParams, response: { 200: Segment } },
    },
    async (request) => getSegment(db, principalOf(request).workspaceId, request.params.id),
  );
  app.patch(
    '/v1/segments/:id',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Change a segment (re-evaluated at once)',
        params: IdParams,
        body: SegmentBody,
        response: { 200: Segment },
      },
    },
    async (request) => {
      const { workspaceId } = principalOf(request);
      return updateSegment(db, workspaceId, request.params.id, request.body, {
        now: deps.clock.now(),
        // The entries and exits of the re-evaluation are recorded (committed) by now: subscribers
        // such as the LINE rich-menu sync follow them at once.
        onEvaluated: async (change) => {
          const { jobs } = deps;
          if (jobs)
            await db
              .transaction()
              .execute((tx) => jobs.publish(tx, 'segments.changed', { workspaceId, ...change }));
        },
      });
    },
  );
  app.delete(
    '/v1/segments/:id',
    {
      config: { scope: 'send' },
      schema: {
        tags,
        summary: 'Delete a segment',
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }) },
      },
    },
    async (request, reply) => {
      await deleteSegment(db, principalOf(request).workspaceId, request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/v1/segments/:id/members',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Current members, by customer id',
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          cursor: Type.Optional(Type.String({ maxLength: 15, pattern: '^[0-9]{1,15}$' })),
        }),
        response: {
          200: Page(Type.Object({ customerId: Type.Integer(), enteredAt: Instant() })),
        },
      },
    },
    async (request) =>
      listMembers(db, principalOf(request).workspaceId, request.params.id, {
        limit: request.query.limit ?? 100,
        ...(request.query.cursor ? { after: Number(request.query.cursor) } : {}),
      }),
  );
  app.get(
    '/v1/segments/:id/events',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Entry and exit events after a cursor, oldest first (what journeys consume)',
        description:
          'A stream: `cursor` is an event id (the last one seen); nextCursor is the last id on a full page ' +
          'and null when the page is not full. To tail the stream, keep the last event id and ask again later.',
        params: IdParams,
        querystring: Type.Object({
          cursor: Type.Optional(
            Type.String({ maxLength: 15, pattern: '^[0-9]{1,15}$', description: 'The last event id seen' }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
        }),
        response: { 200: Page(MembershipEvent) },
      },
    },
    async (request) => {
      const workspaceId = principalOf(request).workspaceId;
      await getSegment(db, workspaceId, request.params.id);
      const limit = request.query.limit ?? 100;
      const items = await membershipEvents(
        db,
        workspaceId,
        request.params.id,
        Number(request.query.cursor ?? 0),
        limit,
      );
      return { items, nextCursor: items.length === limit ? String(items.at(-1)!.id) : null };
    },
  );
  app.get(
    '/v1/segments/:id/sizes',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Members at the end of each JST day, since the segment was made (at most `days` days)',
        params: IdParams,
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 90 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                day: Type.String({ description: 'JST calendar day, yyyy-mm-dd' }),
                members: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const workspaceId = principalOf(request).workspaceId;
      const segment = await getSegment(db, workspaceId, request.params.id);
      const items = await membershipSizes(db, workspaceId, segment.id, {
        days: request.query.days ?? 90,
        now: deps.clock.now(),
        createdAt: new Date(segment.createdAt),
      });
      return { items };
    },
  );
}
