import { type Static, Type } from 'typebox';
import { CustomerRef } from '../customers/customer-schema.ts';

export const VisitInput = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'Your visit id (e.g. the POS check-in id). Retries upsert by it.',
    }),
    customer: CustomerRef,
    storeCode: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    visitedAt: Type.String({ format: 'date-time', maxLength: 40 }),
    source: Type.Optional(
      Type.String({ minLength: 1, maxLength: 50, description: 'pos, reservation, checkin, …' }),
    ),
  },
  { additionalProperties: false },
);
export type VisitInput = Static<typeof VisitInput>;
