// Loyalty members: summary and ledger (`read`), the till's points, stamps and card (`till`), manual
// adjustments (`admin`), and earning for an order by its external id.
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { listGrantSkips } from './coupon-grant-skips.ts';
import { issueCardPayload } from './member-card.ts';
import { syncOrderByExternalId } from './order-points.ts';
import { adjustPoints, redeemPoints, voidRedemption } from './points-ledger.ts';
import {
  CardPayload,
  CouponGrantSkips,
  EntryResult,
  MemberLedger,
  MemberSummary,
  OrderLoyaltyOutcome,
  StampResult,
} from './response-schemas.ts';
import { actorOf as actor, CustomerParams, Key, tags, workspaceOf as ws } from './route-common.ts';
import { loadRules } from './rules.ts';
import { addStamps } from './stamp-cards.ts';
import { memberLedger, memberSummary } from './till.ts';

/** A member's points, stamps, card and ledger. */
export function registerMemberRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/loyalty/members/:customerId',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Member summary: tier, points, stamps, usable coupons',
        params: CustomerParams,
        response: { 200: MemberSummary },
      },
    },
    async (request) => memberSummary(db, ws(request), request.params.customerId),
  );
  app.get(
    '/v1/loyalty/members/:customerId/ledger',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Points ledger (newest first) and open lots',
        params: CustomerParams,
        response: { 200: MemberLedger },
      },
    },
    async (request) => memberLedger(db, ws(request), request.params.customerId),
  );
  app.get(
    '/v1/loyalty/members/:customerId/coupon-grant-skips',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "Coupons a rule would have granted but the coupon's conditions refused, with why",
        params: CustomerParams,
        response: { 200: CouponGrantSkips },
      },
    },
    async (request) => ({ items: await listGrantSkips(db, ws(request), request.params.customerId) }),
  );
  app.post(
    '/v1/loyalty/members/:customerId/adjustments',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Adjust points by hand (with a reason and the staff member)',
        params: CustomerParams,
        body: Type.Object(
          {
            points: Type.Integer(),
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            staff: Type.String({ minLength: 1, maxLength: 200 }),
            idempotencyKey: Type.Optional(Key),
          },
          { additionalProperties: false },
        ),
        response: { 200: EntryResult },
      },
    },
    async (request) => {
      const rules = await loadRules(db, ws(request));
      return adjustPoints(db, ws(request), {
        customerId: request.params.customerId,
        ...request.body,
        actor: actor(request),
        at: deps.clock.now(),
        validityMonths: rules.lotValidityMonths,
      });
    },
  );
  app.post(
    '/v1/loyalty/members/:customerId/redemptions',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Spend points (oldest lots first)',
        params: CustomerParams,
        body: Type.Object(
          {
            points: Type.Integer({ minimum: 1 }),
            idempotencyKey: Key,
            storeCode: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: EntryResult },
      },
    },
    async (request) =>
      redeemPoints(db, ws(request), {
        customerId: request.params.customerId,
        ...request.body,
        actor: actor(request),
        at: deps.clock.now(),
      }),
  );
  app.post(
    '/v1/loyalty/redemptions/:entryId/void',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Void a points redemption (the points return to their lots)',
        params: Type.Object({ entryId: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: EntryResult },
      },
    },
    async (request) =>
      voidRedemption(db, ws(request), {
        entryId: request.params.entryId,
        reason: request.body.reason,
        actor: actor(request),
      }),
  );
  app.post(
    '/v1/loyalty/members/:customerId/stamps',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Add stamps to a stamp card',
        params: CustomerParams,
        body: Type.Object(
          {
            templateId: Type.Integer({ minimum: 1 }),
            count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
            idempotencyKey: Key,
          },
          { additionalProperties: false },
        ),
        response: { 200: StampResult },
      },
    },
    async (request) =>
      addStamps(db, ws(request), {
        templateId: request.body.templateId,
        customerId: request.params.customerId,
        stamps: request.body.count ?? 1,
        at: deps.clock.now(),
        idempotencyKey: request.body.idempotencyKey,
        source: 'api',
        actor: actor(request),
      }),
  );
  app.post(
    '/v1/loyalty/members/:customerId/card',
    {
      // A fresh payload is accepted by the till as the member: minting one is a till operation,
      // not a read (a viewer's key must not be able to produce cards staff will honour).
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Issue a fresh membership-card QR payload (valid for minutes)',
        params: CustomerParams,
        response: { 200: CardPayload },
      },
    },
    async (request) => {
      const card = await issueCardPayload(db, ws(request), request.params.customerId, deps.secrets);
      return { ...card, issuedAt: card.issuedAt.toISOString(), expiresAt: card.expiresAt.toISOString() };
    },
  );
  app.post(
    '/v1/loyalty/orders/:externalId/earn',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Earn (or reverse) points for an order now, idempotently',
        params: Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: { 200: OrderLoyaltyOutcome },
      },
    },
    async (request) =>
      syncOrderByExternalId(db, ws(request), request.params.externalId, { actor: actor(request) }),
  );
}
