// Editing coupon templates and stamp cards (`admin`); what stays fixed once they are in use is
// explained in template-edits.ts.
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { couponTemplateView, stampCardTemplateView } from './loyalty-views.ts';
import { CouponTemplate, StampCardTemplate } from './response-schemas.ts';
import { tags, workspaceOf as ws } from './route-common.ts';
import { updateCouponTemplate, updateStampCardTemplate } from './template-edits.ts';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));

const CouponTemplatePatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    active: Type.Optional(
      Type.Boolean({ description: 'false: no more grants; coupons already held stay usable' }),
    ),
    validFrom: OrNull(Type.String({ format: 'date-time', maxLength: 40 })),
    validUntil: OrNull(Type.String({ format: 'date-time', maxLength: 40 })),
    validDays: OrNull(Type.Integer({ minimum: 1 })),
    perCustomerLimit: OrNull(Type.Integer({ minimum: 1 })),
    totalLimit: OrNull(Type.Integer({ minimum: 1 })),
    kind: Type.Optional(
      Type.Union([Type.Literal('amount_off'), Type.Literal('percent_off'), Type.Literal('free_item')]),
    ),
    value: Type.Optional(Type.Integer({ minimum: 0 })),
    freeItem: OrNull(Type.String({ maxLength: 200 })),
    minSpend: Type.Optional(Type.Integer({ minimum: 0 })),
    storeCodes: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 1000 })),
    tierCodes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  },
  {
    additionalProperties: false,
    description:
      'Validity and limits apply to coupons granted from now on. kind, value, freeItem, minSpend, storeCodes and tierCodes can change only while no coupon was issued (409 coupon_terms_locked).',
  },
);

const StampCardPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    active: Type.Optional(Type.Boolean()),
    stampPer: Type.Optional(Type.Union([Type.Literal('visit'), Type.Literal('order')])),
    minOrderTotal: Type.Optional(Type.Integer({ minimum: 0 })),
    maxPerDay: OrNull(Type.Integer({ minimum: 1 })),
    stampsRequired: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
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
  {
    additionalProperties: false,
    description:
      'stampsRequired and rewards can change only while no customer has started the card (409 stamp_card_terms_locked).',
  },
);

export function registerTemplateEditRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.patch(
    '/v1/loyalty/coupon-templates/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Edit a coupon template (the discount is fixed once coupons were issued)',
        params: IdParams,
        body: CouponTemplatePatch,
        response: { 200: CouponTemplate },
      },
    },
    async (request) =>
      couponTemplateView(await updateCouponTemplate(db, ws(request), request.params.id, request.body)),
  );
  app.patch(
    '/v1/loyalty/stamp-cards/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Edit a stamp card (the goal and rewards are fixed once a customer started one)',
        params: IdParams,
        body: StampCardPatch,
        response: { 200: StampCardTemplate },
      },
    },
    async (request) =>
      stampCardTemplateView(await updateStampCardTemplate(db, ws(request), request.params.id, request.body)),
  );
}
