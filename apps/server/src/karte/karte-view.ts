// What the karte API returns: timeline entries and the customer summary.
import { type Static, Type } from 'typebox';
import { EventView } from '../events/read-events.ts';
import { OrderView } from '../orders/order-view.ts';
import { VisitView } from '../visits/read-visits.ts';

const Instant = Type.String({
  format: 'date-time',
  description: 'When it happened (the timeline sorts by it)',
});
const Nullable = <T extends import('typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const ConsentChange = Type.Object({
  channel: Type.Union([Type.Literal('line'), Type.Literal('email')]),
  purpose: Type.Union([Type.Literal('marketing'), Type.Literal('transactional')]),
  status: Type.Union([Type.Literal('granted'), Type.Literal('revoked'), Type.Literal('blocked')]),
  source: Type.String(),
  actor: Nullable(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
});

const SentMessage = Type.Object({
  sendId: Type.Integer(),
  channelId: Type.String(),
  origin: Type.String(),
  status: Type.Union([
    Type.Literal('queued'),
    Type.Literal('sent'),
    Type.Literal('failed'),
    Type.Literal('skipped'),
  ]),
  reason: Nullable(Type.String({ description: 'Why it was skipped or failed' })),
  messages: Type.Array(Type.Unknown()),
  createdAt: Type.String({ format: 'date-time' }),
});

export const TimelineEntry = Type.Union([
  Type.Object({ kind: Type.Literal('order'), at: Instant, order: OrderView }),
  Type.Object({ kind: Type.Literal('visit'), at: Instant, visit: VisitView }),
  Type.Object({ kind: Type.Literal('event'), at: Instant, event: EventView }),
  Type.Object(
    { kind: Type.Literal('message_received'), at: Instant, event: EventView },
    { description: 'A LINE message the customer sent (stored as a custom:line.message event)' },
  ),
  Type.Object({ kind: Type.Literal('consent'), at: Instant, consent: ConsentChange }),
  Type.Object(
    { kind: Type.Literal('message_sent'), at: Instant, message: SentMessage },
    { description: 'A message of a send to the customer, with its decision' },
  ),
]);
export type TimelineEntry = Static<typeof TimelineEntry>;

export const CustomerSummary = Type.Object({
  customerId: Type.Integer(),
  mergedInto: Nullable(Type.Integer({ description: 'Set when the id asked for was merged away' })),
  segments: Type.Array(
    Type.Object({ id: Type.Integer(), name: Type.String(), enteredAt: Type.String({ format: 'date-time' }) }),
  ),
  loyalty: Type.Object({
    memberNo: Nullable(Type.String()),
    tier: Nullable(Type.Object({ code: Type.String(), name: Type.String() })),
    points: Type.Integer({ description: 'Points balance' }),
    pointsExpiringSoon: Type.Object({
      points: Type.Integer(),
      firstExpiry: Nullable(Type.String({ format: 'date-time' })),
    }),
    stamps: Type.Array(
      Type.Object({
        templateId: Type.Integer(),
        name: Type.String(),
        stamps: Type.Integer(),
        required: Type.Integer(),
      }),
    ),
    coupons: Type.Array(
      Type.Object({
        code: Type.String(),
        name: Type.String(),
        kind: Type.Union([
          Type.Literal('amount_off'),
          Type.Literal('percent_off'),
          Type.Literal('free_item'),
        ]),
        value: Type.Integer({ description: 'Yen off, or percent off' }),
        freeItem: Nullable(Type.String()),
        minSpend: Type.Integer({ description: 'In integer yen' }),
        validUntil: Nullable(Type.String({ format: 'date-time' })),
      }),
      { description: 'Usable coupons' },
    ),
  }),
  clv: Nullable(
    Type.Object({
      orders: Type.Integer(),
      historicalLtv: Type.Integer({ description: 'Revenue to date, in integer yen' }),
      firstOrderAt: Nullable(Type.String({ format: 'date-time' })),
      lastOrderAt: Nullable(Type.String({ format: 'date-time' })),
      rfm: Nullable(Type.Object({ r: Type.Integer(), f: Type.Integer(), m: Type.Integer() })),
      prediction: Nullable(
        Type.Object({
          modelId: Type.Integer(),
          pAlive: Nullable(Type.Number()),
          expectedPurchases90d: Nullable(Type.Number()),
          predictedClv: Nullable(Type.Integer({ description: 'Discounted 12-month CLV in yen, rounded' })),
          clvPercentile: Nullable(Type.Number()),
        }),
      ),
    }),
  ),
});
export type CustomerSummary = Static<typeof CustomerSummary>;
