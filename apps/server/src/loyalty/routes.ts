// Loyalty REST API. Scopes: reading needs `read`; the till's operations (stamp, redeem, void,
// scan, minting a card payload) need `till`, which staff have; changing rules, templates, grants
// and manual adjustments need `admin`. Handlers only parse, call one domain function and return
// its result.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { buildCouponFlexMessage } from './coupon-flex.ts';
import {
  createCouponTemplate,
  getCoupon,
  grantCoupon,
  listCouponTemplates,
  redeemCoupon,
  voidCoupon,
} from './coupons.ts';
import { issueCardPayload } from './member-card.ts';
import { syncOrderByExternalId } from './order-points.ts';
import { adjustPoints, redeemPoints, voidRedemption } from './points-ledger.ts';
import { loadRules, saveRules } from './rules.ts';
import { addStamps, createStampCardTemplate, listStampCardTemplates } from './stamp-cards.ts';
import { memberLedger, memberSummary } from './till.ts';
import { registerTillRoutes } from './till-routes.ts';

const tags = ['loyalty'];
const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1 }) });
const CodeParams = Type.Object({ code: Type.String({ minLength: 4, maxLength: 40 }) });
const Key = Type.String({ minLength: 1, maxLength: 200 });

const CouponTemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    kind: Type.Union([Type.Literal('amount_off'), Type.Literal('percent_off'), Type.Literal('free_item')]),
    value: Type.Optional(Type.Integer({ minimum: 0 })),
    freeItem: Type.Optional(Type.String({ maxLength: 200 })),
    minSpend: Type.Optional(Type.Integer({ minimum: 0 })),
    storeCodes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000 })),
    validFrom: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    validUntil: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    validDays: Type.Optional(Type.Integer({ minimum: 1 })),
    perCustomerLimit: Type.Optional(Type.Integer({ minimum: 1 })),
    totalLimit: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const StampCardBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    stampsRequired: Type.Integer({ minimum: 1, maximum: 100 }),
    stampPer: Type.Optional(Type.Union([Type.Literal('visit'), Type.Literal('order')])),
    minOrderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    maxPerDay: Type.Optional(Type.Integer({ minimum: 1 })),
    rewards: Type.Optional(
      Type.Array(
        Type.Object(
          { at: Type.Integer({ minimum: 1 }), couponTemplateId: Type.Integer({ minimum: 1 }) },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
  },
  { additionalProperties: false },
);

export function registerLoyaltyRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  const ws = (request: Parameters<typeof principalOf>[0]) => principalOf(request).workspaceId;
  const actor = (request: Parameters<typeof principalOf>[0]) => principalOf(request).actor;

  app.get(
    '/v1/loyalty/rules',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Earn rules, tiers, clawback and expiry settings' },
    },
    async (request) => loadRules(db, ws(request)),
  );
  app.put(
    '/v1/loyalty/rules',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Replace the loyalty rules (missing fields take defaults)',
        body: Type.Object({}, { additionalProperties: true }),
      },
    },
    async (request) => saveRules(db, ws(request), request.body, actor(request)),
  );

  app.get(
    '/v1/loyalty/members/:customerId',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Member summary: tier, points, stamps, usable coupons',
        params: CustomerParams,
      },
    },
    async (request) => memberSummary(db, ws(request), request.params.customerId),
  );
  app.get(
    '/v1/loyalty/members/:customerId/ledger',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Points ledger (newest first) and open lots', params: CustomerParams },
    },
    async (request) => memberLedger(db, ws(request), request.params.customerId),
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
      },
    },
    async (request) => {
      const rules = await loadRules(db, ws(request));
      return adjustPoints(db, ws(request), {
        customerId: request.params.customerId,
        ...request.body,
        actor: actor(request),
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
      },
    },
    async (request) =>
      redeemPoints(db, ws(request), {
        customerId: request.params.customerId,
        ...request.body,
        actor: actor(request),
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
      },
    },
    async (request) =>
      addStamps(db, ws(request), {
        templateId: request.body.templateId,
        customerId: request.params.customerId,
        stamps: request.body.count ?? 1,
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
      },
    },
    async (request) => issueCardPayload(db, ws(request), request.params.customerId, deps.secrets),
  );
  app.post(
    '/v1/loyalty/orders/:externalId/earn',
    {
      config: { scope: 'ingest' },
      schema: {
        tags,
        summary: 'Earn (or reverse) points for an order now, idempotently',
        params: Type.Object({ externalId: Type.String({ minLength: 1, maxLength: 100 }) }),
      },
    },
    async (request) =>
      syncOrderByExternalId(db, ws(request), request.params.externalId, { actor: actor(request) }),
  );

  app.get(
    '/v1/loyalty/coupon-templates',
    { config: { scope: 'read' }, schema: { tags, summary: 'Coupon templates' } },
    async (request) => ({
      items: await listCouponTemplates(db, ws(request)),
    }),
  );
  app.post(
    '/v1/loyalty/coupon-templates',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'Create a coupon template', body: CouponTemplateBody },
    },
    async (request, reply) => reply.code(201).send(await createCouponTemplate(db, ws(request), request.body)),
  );
  app.post(
    '/v1/loyalty/coupon-templates/:id/grants',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Grant a coupon to a customer (idempotent with grantKey)',
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          { customerId: Type.Integer({ minimum: 1 }), grantKey: Type.Optional(Key) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      grantCoupon(db, ws(request), {
        templateId: request.params.id,
        customerId: request.body.customerId,
        source: 'manual',
        actor: actor(request),
        ...(request.body.grantKey ? { grantKey: request.body.grantKey } : {}),
      }),
  );
  app.get(
    '/v1/loyalty/coupons/:code',
    { config: { scope: 'read' }, schema: { tags, summary: 'A coupon by its code', params: CodeParams } },
    async (request) => getCoupon(db, ws(request), request.params.code),
  );
  app.get(
    '/v1/loyalty/coupons/:code/flex',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'The coupon as a LINE flex message',
        params: CodeParams,
        querystring: Type.Object({
          shopName: Type.Optional(Type.String({ maxLength: 200 })),
          imageUrl: Type.Optional(Type.String({ maxLength: 2000 })),
          actionUrl: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (request) =>
      buildCouponFlexMessage(await getCoupon(db, ws(request), request.params.code), request.query),
  );
  app.post(
    '/v1/loyalty/coupons/:code/redeem',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Redeem a coupon (single use)',
        params: CodeParams,
        body: Type.Object(
          {
            storeCode: Type.Optional(Type.String({ maxLength: 100 })),
            orderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
            idempotencyKey: Type.Optional(Key),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      redeemCoupon(db, ws(request), { code: request.params.code, actor: actor(request), ...request.body }),
  );
  app.post(
    '/v1/loyalty/coupons/:code/void',
    {
      config: { scope: 'till' },
      schema: {
        tags,
        summary: 'Void a redemption: the coupon can be used again',
        params: CodeParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 1, maxLength: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) =>
      voidCoupon(db, ws(request), {
        code: request.params.code,
        actor: actor(request),
        reason: request.body.reason,
      }),
  );

  app.get(
    '/v1/loyalty/stamp-cards',
    { config: { scope: 'read' }, schema: { tags, summary: 'Stamp card templates' } },
    async (request) => ({
      items: await listStampCardTemplates(db, ws(request)),
    }),
  );
  app.post(
    '/v1/loyalty/stamp-cards',
    { config: { scope: 'admin' }, schema: { tags, summary: 'Create a stamp card', body: StampCardBody } },
    async (request, reply) =>
      reply.code(201).send(await createStampCardTemplate(db, ws(request), request.body)),
  );

  registerTillRoutes(app, deps);
}
