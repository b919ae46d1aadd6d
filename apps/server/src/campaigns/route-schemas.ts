// The campaign API's request and response shapes (OpenAPI through TypeBox).
import { Type } from 'typebox';

const Message = Type.Object({ type: Type.String({ maxLength: 50 }) }, { additionalProperties: true });
const Messages = Type.Array(Message, { minItems: 1, maxItems: 5 });

const EmailSourceSchema = Type.Union(
  [
    Type.Object(
      {
        templateId: Type.Integer({ minimum: 1, description: 'a saved email template (/v1/email/templates)' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        subject: Type.String({ minLength: 1, maxLength: 300, description: 'one line; Liquid allowed' }),
        mjml: Type.String({
          minLength: 1,
          maxLength: 100_000,
          description: 'an MJML document; Liquid allowed',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'an email variant’s mail: a saved template, or a subject and MJML' },
);

export const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    channel: Type.Optional(
      Type.Union([Type.Literal('line'), Type.Literal('email')], {
        default: 'line',
        description:
          'line: variants carry messages; email: variants carry email (the workspace’s sender sends)',
      }),
    ),
    channelId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          'the LINE channel it sends on (required for LINE; for email the sender, may be left out)',
      }),
    ),
    audience: Type.Union(
      [
        Type.Object({ segmentId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
        Type.Object(
          { customerIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 100_000 }) },
          { additionalProperties: false },
        ),
      ],
      { description: 'a segment (its members when the campaign sends) or a list of customers' },
    ),
    holdoutPercent: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 50,
        multipleOf: 0.01,
        description: 'control group never messaged (効果測定用の除外グループ)',
      }),
    ),
    attributionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7 })),
    quietHours: Type.Optional(Type.Union([Type.Literal('hold'), Type.Literal('skip')])),
    couponTemplateId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'whose coupon {{ coupon.code }} shows' }),
    ),
    trackClicks: Type.Optional(Type.Boolean({ default: true })),
    variants: Type.Array(
      Type.Object(
        {
          key: Type.String({ pattern: '^[A-Z]$', maxLength: 1, description: 'A, B, …' }),
          weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
          messages: Type.Optional(Messages),
          email: Type.Optional(EmailSourceSchema),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 5 },
    ),
  },
  { additionalProperties: false },
);

export const Status = Type.Union([
  Type.Literal('draft'),
  Type.Literal('scheduled'),
  Type.Literal('sending'),
  Type.Literal('sent'),
  Type.Literal('cancelled'),
  Type.Literal('failed'),
]);
const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const Campaign = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  channel: Type.Union([Type.Literal('line'), Type.Literal('email')]),
  channelId: Type.String({ description: 'the LINE channel, or the email sender' }),
  audience: Type.Union([
    Type.Object({ segmentId: Type.Integer() }),
    Type.Object({ customerCount: Type.Integer() }),
  ]),
  holdoutPercent: Type.Number(),
  attributionDays: Type.Integer(),
  quietHours: Type.String(),
  couponTemplateId: Type.Union([Type.Integer(), Type.Null()]),
  trackClicks: Type.Boolean(),
  status: Status,
  scheduledAt: Instant,
  audienceFixedAt: Instant,
  sentAt: Instant,
  cancelledAt: Instant,
  failedAt: Instant,
  failureReason: Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
    description:
      'Why the campaign failed (status failed): the channel refused every message, or its send could not be made',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  variants: Type.Array(
    Type.Object({
      key: Type.String(),
      weight: Type.Integer(),
      messages: Type.Array(Type.Unknown(), {
        description: 'LINE message objects, Liquid as written ([] for email)',
      }),
      email: Type.Union([Type.Unknown(), Type.Null()], {
        description: 'an email variant’s { templateId } or { subject, mjml } (null for LINE)',
      }),
      sendId: Type.Union([Type.Integer(), Type.Null()]),
    }),
  ),
});

const IntervalSchema = Type.Object({ estimate: Type.Number(), lower: Type.Number(), upper: Type.Number() });

export const Results = Type.Object({
  campaignId: Type.Integer(),
  channel: Type.Union([Type.Literal('line'), Type.Literal('email')]),
  status: Type.String(),
  sentAt: Instant,
  attributionDays: Type.Integer(),
  holdoutPercent: Type.Number(),
  linePlan: Type.Object({
    plan: Type.String(),
    monthlyFeeYen: Type.Integer(),
    freeMessages: Type.Integer(),
    yenPerAdditionalMessage: Type.Union([Type.Number(), Type.Null()]),
    configured: Type.Boolean(),
    yenPerMessage: Type.Number(),
  }),
  groups: Type.Array(
    Type.Object({
      group: Type.String({ description: 'a variant key, all (every variant) or holdout' }),
      audience: Type.Integer(),
      renderFailed: Type.Integer(),
      sent: Type.Integer(),
      delivered: Type.Integer({ description: 'accepted by LINE (what LINE bills) or by the SMTP relay' }),
      failed: Type.Integer(),
      queued: Type.Integer(),
      skipped: Type.Record(Type.String(), Type.Integer(), { description: 'by reason' }),
      clicked: Type.Integer(),
      opened: Type.Union([Type.Integer(), Type.Null()], {
        description:
          'email: messages whose open pixel loaded (an estimate: Apple Mail Privacy Protection); LINE: null',
      }),
      converted: Type.Integer(),
      revenue: Type.Integer({ description: 'yen: total − refunded of the converted orders' }),
      conversionRate: Type.Union([Type.Number(), Type.Null()]),
      revenuePerCustomer: Type.Union([Type.Number(), Type.Null()]),
      lift: Type.Union([
        Type.Object(
          { conversionRate: IntervalSchema, revenuePerCustomer: IntervalSchema },
          {
            description: 'difference from the holdout with a 95% interval (Newcombe; Welch)',
          },
        ),
        Type.Null(),
      ]),
      billedMessages: Type.Integer(),
      costYen: Type.Integer({
        description:
          "LINE: billedMessages × the plan's yenPerMessage; email: delivered × the sender's yenPerMessage (0 unless set); rounded to the yen",
      }),
      revenueLiftPerYen: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
});

export const LinePlanBody = Type.Object(
  {
    plan: Type.Union(
      [
        Type.Literal('communication'),
        Type.Literal('light'),
        Type.Literal('standard'),
        Type.Literal('custom'),
      ],
      {
        description: 'コミュニケーション / ライト / スタンダード, or custom',
      },
    ),
    monthlyFeeYen: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
    freeMessages: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
    yenPerAdditionalMessage: Type.Optional(
      Type.Union([Type.Number({ minimum: 0, maximum: 1000 }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

export const LinePlanSchema = Type.Object({
  plan: Type.String(),
  monthlyFeeYen: Type.Integer(),
  freeMessages: Type.Integer(),
  yenPerAdditionalMessage: Type.Union([Type.Number(), Type.Null()]),
  configured: Type.Boolean(),
});
