// Coupons: templates and grants (`admin`), reading, redeeming and voiding a coupon by its code.
import { Type } from 'typebox';
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
import { couponDetailView, couponTemplateView, couponView } from './loyalty-views.ts';
import {
  CouponDetail,
  CouponTemplate,
  FlexMessage,
  GrantedCoupon,
  RedeemedCoupon,
  VoidedCoupon,
} from './response-schemas.ts';
import { actorOf as actor, CodeParams, Key, tags, workspaceOf as ws } from './route-common.ts';

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
    tierCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 50 }), {
        maxItems: 20,
        description: 'Only members of these tiers (rules.tiers[].code) are granted it and may use it',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Coupon templates, grants and coupons by code. */
export function registerCouponRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/loyalty/coupon-templates',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Coupon templates',
        response: { 200: Type.Object({ items: Type.Array(CouponTemplate) }) },
      },
    },
    async (request) => ({
      items: (await listCouponTemplates(db, ws(request))).map(couponTemplateView),
    }),
  );
  app.post(
    '/v1/loyalty/coupon-templates',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Create a coupon template',
        body: CouponTemplateBody,
        response: { 201: CouponTemplate },
      },
    },
    async (request, reply) =>
      reply.code(201).send(couponTemplateView(await createCouponTemplate(db, ws(request), request.body))),
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
        response: { 200: GrantedCoupon },
      },
    },
    async (request) => {
      const granted = await grantCoupon(db, ws(request), {
        templateId: request.params.id,
        customerId: request.body.customerId,
        source: 'manual',
        actor: actor(request),
        at: deps.clock.now(),
        ...(request.body.grantKey ? { grantKey: request.body.grantKey } : {}),
      });
      return { ...couponView(granted), replayed: granted.replayed };
    },
  );
  app.get(
    '/v1/loyalty/coupons/:code',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'A coupon by its code', params: CodeParams, response: { 200: CouponDetail } },
    },
    async (request) => couponDetailView(await getCoupon(db, ws(request), request.params.code)),
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
        response: { 200: FlexMessage },
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
            orderExternalId: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'The order it is used on: a next-purchase coupon is refused on its own order',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: RedeemedCoupon },
      },
    },
    async (request) =>
      redeemCoupon(db, ws(request), {
        code: request.params.code,
        actor: actor(request),
        at: deps.clock.now(),
        ...request.body,
      }),
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
        response: { 200: VoidedCoupon },
      },
    },
    async (request) =>
      voidCoupon(db, ws(request), {
        code: request.params.code,
        actor: actor(request),
        reason: request.body.reason,
      }),
  );
}
