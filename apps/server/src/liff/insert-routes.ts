// Insert QR routes: the member's claim (POST /v1/liff/me/insert-claims) and the staff settings
// (which coupon a claim grants).
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { Nullable } from '../shared/response-types.ts';
import { claimInsert } from './insert-claims.ts';
import { loadInsertSettings, saveInsertSettings } from './insert-settings.ts';
import { memberOf } from './member-auth.ts';

const tags = ['liff'];
const InsertClaim = Type.Object({
  status: Type.Union([Type.Literal('claimed'), Type.Literal('already_claimed')], {
    description: 'already_claimed: the order was claimed before (by anyone); nothing was granted',
  }),
  orderNumber: Type.String(),
  coupon: Nullable(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      validUntil: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
  couponRefused: Nullable(
    Type.String({ description: "Why the claim came without the coupon (the template's limits)" }),
  ),
});
const Settings = Type.Object(
  {
    couponTemplateId: Nullable(
      Type.Integer({ minimum: 1, description: 'The coupon a claim grants; null: none' }),
    ),
  },
  { additionalProperties: false },
);

export function registerInsertRoutes(app: App, deps: RouteDeps): void {
  const { database, secrets, clock } = deps;
  const db = database.db;
  app.post(
    '/v1/liff/me/insert-claims',
    {
      config: { member: true },
      schema: {
        tags,
        summary:
          "Claim an order from its packing slip's QR code (同梱物): proof, link, the coupon once per order",
        body: Type.Object(
          {
            token: Type.String({
              minLength: 1,
              maxLength: 60,
              description: 'The ?insert= value of the QR code',
            }),
            email: Type.Optional(
              Type.String({ minLength: 1, maxLength: 254, description: "The order's email address" }),
            ),
            phoneLast4: Type.Optional(
              Type.String({
                pattern: '^[0-9]{4}$',
                maxLength: 4,
                description: "The last 4 digits of the order's phone",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: InsertClaim },
      },
    },
    async (request) =>
      claimInsert(db, secrets, memberOf(request), request.body, clock.now(), deps.jobs?.publish),
  );
  app.get(
    '/v1/liff/insert-settings',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Insert QR settings: the coupon a claim grants', response: { 200: Settings } },
    },
    async (request) => loadInsertSettings(db, principalOf(request).workspaceId),
  );
  app.put(
    '/v1/liff/insert-settings',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Set the coupon an insert QR claim grants',
        body: Settings,
        response: { 200: Settings },
      },
    },
    async (request) => saveInsertSettings(db, principalOf(request).workspaceId, request.body, clock.now()),
  );
}
