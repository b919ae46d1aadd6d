import { type Static, Type } from 'typebox';
import { BoundedJsonObject } from '../shared/bounded-json.ts';
import { MAX_EMAIL_LENGTH } from '../shared/email.ts';

/** Identities in API bodies. At least one is needed to upsert a customer. */
export const IdentityFields = {
  lineUserId: Type.Optional(Type.String({ maxLength: 33, description: 'LINE userId (U + 32 hex digits)' })),
  email: Type.Optional(
    Type.String({ maxLength: MAX_EMAIL_LENGTH, description: 'Email address (stored lower-cased)' }),
  ),
  phone: Type.Optional(
    Type.String({
      maxLength: 50,
      description: 'Phone number; Japanese numbers may omit +81 (stored as E.164)',
    }),
  ),
  external: Type.Optional(
    Type.Array(
      Type.Object(
        {
          namespace: Type.String({
            maxLength: 40,
            description: 'The system the id comes from: member_no, shopify, ec, …',
          }),
          value: Type.String({ maxLength: 200 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10 },
    ),
  ),
};

/** A reference to a customer from an order or event: Kizuna's id, or any identity. */
export const CustomerRef = Type.Object(
  { id: Type.Optional(Type.Integer({ minimum: 1, description: "Kizuna's customer id" })), ...IdentityFields },
  {
    additionalProperties: false,
    description: 'Which customer: id, or identities (an unknown identity creates the customer)',
  },
);
export type CustomerRef = Static<typeof CustomerRef>;

export const ConsentInput = Type.Object(
  {
    channel: Type.Union([Type.Literal('line'), Type.Literal('email')]),
    purpose: Type.Union([Type.Literal('marketing'), Type.Literal('transactional')]),
    status: Type.Union([Type.Literal('granted'), Type.Literal('revoked'), Type.Literal('blocked')]),
    source: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Where consent was given: web_form, line_follow, store_paper, …',
    }),
    occurredAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  },
  { additionalProperties: false },
);
export type ConsentInput = Static<typeof ConsentInput>;

const nullableString = (options: { maxLength: number; description?: string }) =>
  Type.Optional(Type.Union([Type.String(options), Type.Null()]));

export const CustomerInput = Type.Object(
  {
    ...IdentityFields,
    familyName: nullableString({ maxLength: 100, description: '姓' }),
    givenName: nullableString({ maxLength: 100, description: '名' }),
    familyNameKana: nullableString({ maxLength: 100, description: 'セイ (katakana)' }),
    givenNameKana: nullableString({ maxLength: 100, description: 'メイ (katakana)' }),
    birthday: Type.Optional(Type.Union([Type.String({ format: 'date', maxLength: 10 }), Type.Null()])),
    gender: Type.Optional(
      Type.Union([
        Type.Literal('female'),
        Type.Literal('male'),
        Type.Literal('other'),
        Type.Literal('unanswered'),
        Type.Null(),
      ]),
    ),
    prefecture: nullableString({ maxLength: 10, description: '都道府県, e.g. 東京都' }),
    postalCode: Type.Optional(
      Type.Union([
        Type.String({ pattern: '^[0-9]{3}-[0-9]{4}$', maxLength: 8, description: '郵便番号, e.g. 150-0002' }),
        Type.Null(),
      ]),
    ),
    favoriteStoreCode: nullableString({ maxLength: 100, description: 'Code of the favourite store' }),
    interests: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
    registeredAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    acquisitionSource: nullableString({
      maxLength: 100,
      description: 'line, instagram, store, ec, referral, …',
    }),
    attributes: Type.Optional(BoundedJsonObject('Custom attributes (merged into the stored ones)')),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    consents: Type.Optional(Type.Array(ConsentInput, { maxItems: 4 })),
  },
  { additionalProperties: false },
);
export type CustomerInput = Static<typeof CustomerInput>;

export const Customer = Type.Object({
  id: Type.Integer(),
  familyName: Type.Union([Type.String(), Type.Null()]),
  givenName: Type.Union([Type.String(), Type.Null()]),
  familyNameKana: Type.Union([Type.String(), Type.Null()]),
  givenNameKana: Type.Union([Type.String(), Type.Null()]),
  birthday: Type.Union([Type.String(), Type.Null()]),
  gender: Type.Union([Type.String(), Type.Null()]),
  prefecture: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  favoriteStoreId: Type.Union([Type.Integer(), Type.Null()]),
  interests: Type.Array(Type.String()),
  registeredAt: Type.String({ format: 'date-time' }),
  acquisitionSource: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  tags: Type.Array(Type.String()),
  identities: Type.Array(
    Type.Object({ kind: Type.String(), namespace: Type.String(), value: Type.String() }),
  ),
  consents: Type.Array(
    Type.Object({
      channel: Type.String(),
      purpose: Type.String(),
      status: Type.String(),
      source: Type.String(),
      occurredAt: Type.String({ format: 'date-time' }),
    }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type Customer = Static<typeof Customer>;

/** One page of `GET /v1/customers` (a list or a search). */
export const CustomerPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      familyName: Type.Union([Type.String(), Type.Null()]),
      givenName: Type.Union([Type.String(), Type.Null()]),
      familyNameKana: Type.Union([Type.String(), Type.Null()]),
      givenNameKana: Type.Union([Type.String(), Type.Null()]),
      registeredAt: Type.String({ format: 'date-time' }),
    }),
  ),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
