// LINE beacons tied to stores (`admin` to change, `read` to list): a friend's beacon `enter` at a
// tied beacon records a visit at its store.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { listBeacons, removeBeacon, setBeacon } from './beacons.ts';

const Beacon = Type.Object({
  hwid: Type.String({ description: "LINE's hardware id of the beacon (10 hexadecimal digits)" }),
  storeCode: Type.String({ description: 'the store whose visits its enter events record' }),
  createdAt: Type.String({ format: 'date-time' }),
});
const ChannelParams = Type.Object({ channelId: Type.String({ format: 'uuid', maxLength: 36 }) });
const BeaconParams = Type.Object({
  channelId: Type.String({ format: 'uuid', maxLength: 36 }),
  hwid: Type.String({ pattern: '^[0-9a-fA-F]{10}$', maxLength: 10, description: '10 hexadecimal digits' }),
});
const tags = ['line'];

export function registerBeaconRoutes(app: App, { database }: RouteDeps): void {
  const db = database.db;
  app.get(
    '/v1/line/channels/:channelId/beacons',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "The channel's beacons and the store each records visits at",
        params: ChannelParams,
        response: { 200: Type.Object({ items: Type.Array(Beacon) }) },
      },
    },
    async (request) => ({
      items: await listBeacons(db, principalOf(request).workspaceId, request.params.channelId),
    }),
  );
  app.put(
    '/v1/line/channels/:channelId/beacons/:hwid',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: "Tie a beacon to a store: a friend's enter event there records a visit (once a day)",
        params: BeaconParams,
        body: Type.Object(
          { storeCode: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Beacon },
      },
    },
    async (request) =>
      setBeacon(
        db,
        principalOf(request).workspaceId,
        request.params.channelId,
        request.params.hwid.toLowerCase(),
        request.body.storeCode,
      ),
  );
  app.delete(
    '/v1/line/channels/:channelId/beacons/:hwid',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Untie a beacon from its store (its events are still recorded, as events only)',
        params: BeaconParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeBeacon(
        db,
        principalOf(request).workspaceId,
        request.params.channelId,
        request.params.hwid.toLowerCase(),
      );
      return reply.code(204).send(null);
    },
  );
}
