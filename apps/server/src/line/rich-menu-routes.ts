import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { RICH_MENU_SYNC_JOB, requestFullRichMenuSync } from './rich-menu-sync.ts';
import {
  createRichMenu,
  getRichMenu,
  linkRichMenu,
  listRichMenus,
  setDefaultRichMenu,
} from './rich-menus.ts';

/** A rich menu as every rich-menu route answers it. */
export const RichMenu = Type.Object({
  id: Type.Integer(),
  channelId: Type.String(),
  name: Type.String(),
  richMenuId: Type.Union([Type.String(), Type.Null()]),
  imageUploaded: Type.Boolean(),
  isDefault: Type.Boolean(),
  segmentId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The segment whose members who are LINE friends get this menu',
  }),
  priority: Type.Integer({
    description:
      'Precedence when a customer is in several segments with menus: the highest priority wins, then the most recently assigned',
  }),
  segmentAssignedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sync: Type.Object(
    {
      linked: Type.Integer({ description: 'LINE users LINE confirmed this menu for' }),
      pending: Type.Integer({ description: 'users to be linked to this menu, not yet confirmed by LINE' }),
      blocked: Type.Integer({ description: 'members who blocked the account: skipped until they follow' }),
      failed: Type.Integer({ description: 'users LINE refused the link for (see lastError)' }),
      lastSyncAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      lastError: Type.Union([Type.String(), Type.Null()]),
    },
    { description: "How far the segment's links have got" },
  ),
  definition: Type.Object({}, { additionalProperties: true }),
});
const ChannelParams = Type.Object({ channelId: Type.String() });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['line'];

/** Rich menus: define, list, sync, set the default, link to customers or a segment. */
export function registerRichMenuRoutes(app: App, deps: RouteDeps): void {
  const { database, secrets, jobs, lineHosts } = deps;
  const db = database.db;
  app.post(
    '/v1/line/channels/:channelId/rich-menus',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: "Define a rich menu (LINE's richmenu object: size, selected, name, chatBarText, areas ≤20)",
        params: ChannelParams,
        body: Type.Object(
          {
            size: Type.Object({ width: Type.Integer(), height: Type.Integer() }),
            selected: Type.Boolean(),
            name: Type.String({ minLength: 1, maxLength: 300 }),
            chatBarText: Type.String({ minLength: 1, maxLength: 14 }),
            areas: Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: RichMenu },
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      const body = request.body as Parameters<typeof createRichMenu>[5];
      return reply
        .code(201)
        .send(await createRichMenu(db, secrets, lineHosts, workspaceId, request.params.channelId, body));
    },
  );
  app.get(
    '/v1/line/rich-menus',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Rich menus',
        response: { 200: Type.Object({ items: Type.Array(RichMenu) }) },
      },
    },
    async (request) => ({ items: await listRichMenus(db, principalOf(request).workspaceId) }),
  );
  app.get(
    '/v1/line/rich-menus/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'A rich menu, the segment it follows and how far its links have got',
        params: IdParams,
        response: { 200: RichMenu },
      },
    },
    async (request) => getRichMenu(db, principalOf(request).workspaceId, request.params.id),
  );
  app.post(
    '/v1/line/rich-menus/sync',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          "Recompute every segment menu's links now and retry the ones LINE refused (the sync also runs every minute)",
        response: { 202: Type.Object({ queued: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const { workspaceId } = principalOf(request);
      await requestFullRichMenuSync(db, workspaceId);
      const queued = jobs ? (await jobs.send(RICH_MENU_SYNC_JOB, { workspaceId })) !== null : false;
      return reply.code(202).send({ queued });
    },
  );
  app.post(
    '/v1/line/rich-menus/:id/default',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Make the menu the default for every friend',
        params: IdParams,
        response: { 200: RichMenu },
      },
    },
    async (request) =>
      setDefaultRichMenu(db, secrets, lineHosts, principalOf(request).workspaceId, request.params.id),
  );
  app.post(
    '/v1/line/rich-menus/:id/links',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary:
          'Link the menu to customers once (bulk link), and/or make it follow a segment: its members who are LINE friends get it, entering customers are linked, exiting ones fall back to their next segment menu by priority or to the default (segmentId null stops following)',
        params: IdParams,
        body: Type.Object(
          {
            customerIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100_000 })),
            segmentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
            priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            menu: RichMenu,
            linkedUsers: Type.Integer(),
            customersWithoutLine: Type.Integer(),
          }),
        },
      },
    },
    async (request) =>
      linkRichMenu(
        db,
        secrets,
        lineHosts,
        jobs,
        principalOf(request).workspaceId,
        request.params.id,
        request.body,
      ),
  );
}
