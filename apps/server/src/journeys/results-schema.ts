// The response of GET /v1/journeys/{id}/results (OpenAPI), and its query.
import { Type } from 'typebox';

const IntervalSchema = Type.Object({ estimate: Type.Number(), lower: Type.Number(), upper: Type.Number() });
const Count = Type.Integer({ minimum: 0 });
const ByReason = Type.Record(Type.String(), Type.Integer(), {
  description:
    'by reason: holdout, render_failed, no_line_channel, no_email_sender, no_email_template (the journey), quiet_hours, capped, no_consent, revoked, blocked, no_line_identity, no_email_identity, suppressed (the messaging core)',
});

export const ResultsQuery = Type.Object(
  {
    attributionDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 365,
        description:
          'An order counts when completed within this many days after an entry (default: the goal’s window when the goal is an order, else 7)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const JourneyResultsSchema = Type.Object({
  journeyId: Type.Integer(),
  status: Type.String(),
  holdoutPercent: Type.Number({ description: 'the latest version’s holdout (効果測定用の除外グループ)' }),
  attributionDays: Type.Integer(),
  linePlan: Type.Object({
    plan: Type.String(),
    monthlyFeeYen: Type.Integer(),
    freeMessages: Type.Integer(),
    yenPerAdditionalMessage: Type.Union([Type.Number(), Type.Null()]),
    configured: Type.Boolean(),
    yenPerMessage: Type.Number(),
  }),
  entered: Type.Object({ runs: Count, customers: Count }),
  clicked: Type.Integer({ description: 'distinct customers who clicked any of the journey’s tracked links' }),
  billedMessages: Type.Integer({
    description: 'delivered LINE messages (one per recipient per send): what LINE bills',
  }),
  costYen: Type.Integer({
    description:
      "LINE's billedMessages × the plan's yenPerMessage plus delivered emails × the sender's yenPerMessage (0 unless set), rounded to the yen",
  }),
  revenueLiftPerYen: Type.Union([Type.Number(), Type.Null()]),
  groups: Type.Array(
    Type.Object({
      group: Type.Union([Type.Literal('treated'), Type.Literal('holdout')]),
      runs: Count,
      customers: Count,
      converted: Count,
      revenue: Type.Integer({ description: 'yen: total − refunded of the orders in the window' }),
      conversionRate: Type.Union([Type.Number(), Type.Null()]),
      revenuePerCustomer: Type.Union([Type.Number(), Type.Null()]),
      lift: Type.Union([
        Type.Object(
          { conversionRate: IntervalSchema, revenuePerCustomer: IntervalSchema },
          { description: 'treated − holdout with a 95% interval (Newcombe; Welch)' },
        ),
        Type.Null(),
      ]),
    }),
  ),
  steps: Type.Array(
    Type.Object({
      nodeId: Type.String(),
      channel: Type.Union([Type.Literal('line'), Type.Literal('email'), Type.Literal('line_then_email')], {
        description: 'line_then_email: LINE to reachable friends, email to the others, counted together',
      }),
      reached: Count,
      sent: Count,
      delivered: Count,
      failed: Count,
      queued: Count,
      skipped: ByReason,
      clicked: Count,
      opened: Type.Union([Count, Type.Null()], {
        description:
          'email: messages whose open pixel loaded (an estimate: Apple Mail Privacy Protection); LINE: null',
      }),
      billedMessages: Type.Integer({ minimum: 0, description: 'LINE messages billed (email: 0)' }),
      costYen: Type.Integer({
        minimum: 0,
        description: 'LINE at the plan’s price; email at the sender’s yenPerMessage (0 unless set)',
      }),
    }),
    { description: 'one per send node, in the latest definition’s order' },
  ),
});
