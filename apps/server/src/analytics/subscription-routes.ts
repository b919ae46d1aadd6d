// GET /v1/analytics/subscriptions: subscription LTV per plan (subscription-ltv.ts).
import type { PlanLtv } from '@kizuna/clv';
import { type Static, Type } from 'typebox';
import { principalOf } from '../http/auth.ts';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { RangeBound } from '../shared/page-schema.ts';
import { Instant, Nullable, Yen } from '../shared/response-types.ts';
import { subscriptionLtv } from './subscription-ltv.ts';

const PlanView = Type.Object({
  plan: Type.String(),
  interval: Type.Union([Type.Literal('week'), Type.Literal('month'), Type.Literal('year')]),
  intervalCount: Type.Integer({ description: 'Billed every this many intervals' }),
  status: Type.Union([Type.Literal('fitted'), Type.Literal('insufficientData')]),
  reason: Nullable(
    Type.Union(
      [
        Type.Literal('tooFewPeriods'),
        Type.Literal('tooFewSubscribers'),
        Type.Literal('noCancellations'),
        Type.Literal('noRenewals'),
      ],
      {
        description: 'Why there is no fit (insufficientData only)',
      },
    ),
  ),
  periodsNeeded: Type.Integer({ description: 'Billing periods a fit needs (the first and two renewals)' }),
  subscribersNeeded: Type.Integer(),
  periodsObserved: Type.Integer({
    description: 'Periods the oldest subscription could have been seen paying',
  }),
  subscribers: Type.Integer({ description: 'Subscriptions with at least one paid order' }),
  active: Type.Integer({ description: 'Not cancelled as of asOf' }),
  pricePerPeriod: Yen('Median paid amount per billing period, integer yen'),
  alpha: Nullable(Type.Number({ description: 'sBG α (churn-probability Beta)' })),
  beta: Nullable(Type.Number({ description: 'sBG β' })),
  converged: Nullable(Type.Boolean()),
  retention: Type.Array(Type.Number(), {
    description: 'r_t, t = 1..12: share of those who paid t periods that pay the next (0–1)',
  }),
  survival: Type.Array(Type.Number(), {
    description: 'S(t), t = 0..12: share of new subscribers still paying in period t + 1 (0–1)',
  }),
  expectedPeriods: Nullable(
    Type.Number({ description: 'Mean paid periods, counted up to lifetimeCapPeriods' }),
  ),
  lifetimeCapPeriods: Nullable(Type.Integer({ description: 'Ten years of periods' })),
  expectedPeriodsUncapped: Nullable(
    Type.Number({ description: '(α+β−1)/(α−1); null when α ≤ 1 (infinite)' }),
  ),
  ltv: Nullable(Yen('pricePerPeriod × expectedPeriods, integer yen')),
});
type PlanView = Static<typeof PlanView>;

function planView(p: PlanLtv): PlanView {
  const head = {
    plan: p.plan,
    interval: p.interval,
    intervalCount: p.intervalCount,
    status: p.status,
    periodsObserved: p.periodsObserved,
    subscribers: p.subscribers,
    active: p.active,
    pricePerPeriod: p.pricePerPeriod,
  };
  if (p.status === 'insufficientData')
    return {
      ...head,
      reason: p.reason,
      periodsNeeded: p.periodsNeeded,
      subscribersNeeded: p.subscribersNeeded,
      alpha: null,
      beta: null,
      converged: null,
      retention: [],
      survival: [],
      expectedPeriods: null,
      lifetimeCapPeriods: null,
      expectedPeriodsUncapped: null,
      ltv: null,
    };
  return {
    ...head,
    reason: null,
    periodsNeeded: p.periodsNeeded,
    subscribersNeeded: p.subscribersNeeded,
    alpha: p.params.alpha,
    beta: p.params.beta,
    converged: p.converged,
    retention: p.retention,
    survival: p.survival,
    expectedPeriods: p.expectedPeriods,
    lifetimeCapPeriods: p.lifetimeCapPeriods,
    expectedPeriodsUncapped: p.expectedPeriodsUncapped,
    ltv: p.ltv,
  };
}

export function registerSubscriptionRoutes(app: App, deps: RouteDeps): void {
  const { db } = deps.database;
  app.get(
    '/v1/analytics/subscriptions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['analytics'],
        summary:
          'Subscription LTV per plan: sBG retention, expected lifetime and price × lifetime (定期購入LTV)',
        querystring: Type.Object({
          asOf: RangeBound('End of the data (default now); later orders are left out'),
        }),
        response: {
          200: Type.Object({ asOf: Instant('End of the data'), plans: Type.Array(PlanView) }),
        },
      },
    },
    async (request) => {
      const { asOf } = request.query;
      const report = await subscriptionLtv(db, principalOf(request).workspaceId, {
        asOf: asOf ? new Date(asOf) : deps.clock.now(),
      });
      return { asOf: report.asOf, plans: report.plans.map(planView) };
    },
  );
}
