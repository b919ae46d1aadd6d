// What the karte API returns: timeline entries and the customer summary.
import { type Static, Type } from 'typebox';
import { CustomerLtv } from '../analytics/routes.ts';
import { EventView } from '../events/read-events.ts';
import { MemberSummary } from '../loyalty/response-schemas.ts';
import { OrderView } from '../orders/order-view.ts';
import { Nullable } from '../shared/response-types.ts';
import { VisitView } from '../visits/read-visits.ts';

const Instant = Type.String({
  format: 'date-time',
  description: 'When it happened (the timeline sorts by it)',
});

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
  channel: Type.Union([Type.Literal('line'), Type.Literal('email')], {
    description: 'the channel it went out on',
  }),
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
  loyalty: Type.Omit(MemberSummary, ['customerId', 'mergedInto', 'name', 'nameKana']),
  clv: Nullable(Type.Omit(CustomerLtv, ['customerId'])),
});
export type CustomerSummary = Static<typeof CustomerSummary>;
