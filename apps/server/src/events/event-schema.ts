import { type Static, Type } from 'typebox';
import { CustomerRef } from '../customers/customer-schema.ts';
import { BoundedJsonObject } from '../shared/bounded-json.ts';

export const STANDARD_EVENT_TYPES = ['page_view', 'login', 'message_open', 'inquiry', 'reservation'] as const;

export const EventInput = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Your event id. Give one so that a retried batch stores each event once.',
      }),
    ),
    type: Type.String({
      maxLength: 67,
      pattern: `^(${STANDARD_EVENT_TYPES.join('|')}|custom:[a-z0-9_.-]{1,60})$`,
      description: `One of ${STANDARD_EVENT_TYPES.join(', ')}, or custom:<name> (lower-case, e.g. custom:coupon_view)`,
    }),
    occurredAt: Type.String({ format: 'date-time', maxLength: 40 }),
    customer: CustomerRef,
    properties: Type.Optional(BoundedJsonObject()),
  },
  { additionalProperties: false },
);
export type EventInput = Static<typeof EventInput>;
