import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { MemberSummary, TillResult } from './response-schemas.ts';
import { scanCard, tillTransaction } from './till.ts';

const tags = ['loyalty till'];

export function registerTillRoutes(app: App, { database, secrets, clock }: RouteDeps): void {
  app.post(
    '/v1/loyalty/till/scan',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Scan a membership card: name, tier, points, stamps, usable coupons',
        body: Type.Object(
          { qr: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: MemberSummary },
      },
    },
    async (request) =>
      scanCard(database.db, principalOf(request).workspaceId, request.body.qr, secrets, clock.now()),
  );
  app.post(
    '/v1/loyalty/till/transactions',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Stamp, earn, redeem points and redeem a coupon in one call (idempotent by idempotencyKey)',
        body: Type.Object(
          {
            idempotencyKey: Type.String({ minLength: 1, maxLength: 200 }),
            qr: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            customerId: Type.Optional(Type.Integer({ minimum: 1 })),
            storeCode: Type.Optional(Type.String({ maxLength: 100 })),
            orderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
            stamp: Type.Optional(
              Type.Object(
                {
                  templateId: Type.Optional(Type.Integer({ minimum: 1 })),
                  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
                },
                { additionalProperties: false },
              ),
            ),
            earn: Type.Optional(Type.Boolean()),
            redeemPoints: Type.Optional(Type.Integer({ minimum: 1 })),
            couponCode: Type.Optional(Type.String({ minLength: 4, maxLength: 40 })),
            orderExternalId: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description:
                  "The sale's order id, when known: a next-purchase coupon is refused on its own order",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: TillResult },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return tillTransaction(database.db, principal.workspaceId, request.body, {
        actor: principal.actor,
        secrets,
        at: clock.now(),
      });
    },
  );
}
