// GET /v1/line/friends: the LINE users of the workspace's channels, following or blocked.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Page, PageCursor, PageLimit, TextFilter } from '../shared/page-schema.ts';
import { FriendView, listFriends } from './read-friends.ts';

export function registerFriendRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/line/friends',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['line'],
        summary: 'List LINE friends (following or blocked), latest follow or block first',
        querystring: Type.Object(
          {
            channelId: Type.Optional(
              Type.String({
                maxLength: 36,
                pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
                description: "Only this channel's users (Kizuna's channel key)",
              }),
            ),
            status: Type.Optional(Type.Union([Type.Literal('following'), Type.Literal('blocked')])),
            source: TextFilter(
              100,
              'Only users whose customer came from this source (line_follow, store, …)',
            ),
            limit: PageLimit,
            cursor: PageCursor,
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(FriendView) },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listFriends(db, principalOf(request).workspaceId, filter, { limit: limit ?? 50, cursor });
    },
  );
}
