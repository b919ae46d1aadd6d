// Response shapes of the member routes, so the OpenAPI document (and packages/contracts, which
// the LIFF app imports) describes what the app receives.
import { Type } from 'typebox';
import { SurveyQuestion } from './survey.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });

export const MemberCard = Type.Object({
  memberNo: Type.String(),
  name: Nullable(Type.String()),
  tier: Nullable(
    Type.Object({
      code: Type.String(),
      name: Type.String(),
      perks: Type.Array(
        Type.Object({
          nameJa: Type.String(),
          nameEn: Nullable(Type.String()),
          couponTemplateId: Nullable(Type.Integer()),
        }),
      ),
    }),
  ),
  points: Type.Integer(),
  qr: Type.Object({
    payload: Type.String({ description: 'what the QR code the till scans carries' }),
    modules: Type.Array(Type.String({ pattern: '^[01]+$' }), {
      description:
        'the payload already encoded as a QR code (error correction M), a string a row, 1 dark and 0 light, quiet zone not included: draw it, no encoding on the phone',
    }),
    issuedAt: Instant,
    expiresAt: Instant,
    refreshAfter: Type.String({ format: 'date-time', description: 'fetch the card again after this' }),
  }),
});

export const MemberPoints = Type.Object({
  balance: Type.Integer(),
  expiringSoon: Type.Object({ points: Type.Integer(), firstExpiry: Nullable(Instant) }),
  history: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: Type.String(),
      points: Type.Integer(),
      balanceAfter: Type.Integer(),
      reason: Nullable(Type.String()),
      createdAt: Instant,
    }),
  ),
  nextBefore: Nullable(Type.Integer()),
});

export const MemberStampCards = Type.Object({
  items: Type.Array(
    Type.Object({
      templateId: Type.Integer(),
      name: Type.String(),
      stamps: Type.Integer(),
      required: Type.Integer(),
      rewards: Type.Array(Type.Object({ at: Type.Integer() })),
    }),
  ),
});

const couponFields = {
  code: Type.String(),
  name: Type.String(),
  description: Type.String(),
  kind: Type.String(),
  value: Type.Number(),
  freeItem: Nullable(Type.String()),
  minSpend: Type.Integer(),
  state: Type.Union([Type.Literal('usable'), Type.Literal('used'), Type.Literal('expired')]),
  validFrom: Instant,
  validUntil: Nullable(Instant),
  usedAt: Nullable(Instant),
};
export const MemberCoupons = Type.Object({ items: Type.Array(Type.Object(couponFields)) });
export const MemberCoupon = Type.Object({
  ...couponFields,
  qr: Type.String({ description: 'the code the till redeems; show it as text and as a QR code' }),
});

export const AnswerValue = Type.Union([
  Type.String({ maxLength: 500 }),
  Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 }),
  Type.Null(),
]);

export const MemberProfile = Type.Object({
  questions: Type.Array(SurveyQuestion),
  answers: Type.Record(Type.String(), AnswerValue),
  answeredAt: Nullable(Instant),
  marketingConsent: Nullable(
    Type.String({ description: 'granted, revoked or blocked; null when never given' }),
  ),
});
