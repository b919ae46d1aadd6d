// A journey's results (効果測定): per send node what was sent, skipped (by reason, the holdout
// among them), delivered and clicked; for the journey as a whole the treated and holdout groups'
// conversions and revenue after entry, the lift over the holdout with 95% intervals, and what the
// LINE messages cost (email steps are counted alongside: sent, delivered, opened, clicked, ¥0). The statistics, the LINE plan and the send outcomes are the campaigns' own.
import type { Kysely } from 'kysely';
import type { GroupConversions } from '../campaigns/conversions.ts';
import { type Interval, meanDifference, proportionDifference } from '../campaigns/lift-stats.ts';
import { getLinePlan, type LinePlan, yenPerMessage } from '../campaigns/line-plan.ts';
import { type SendOutcomes, sendChannels, sendOutcomes } from '../campaigns/send-outcomes.ts';
import type { DB } from '../db/schema.ts';
import { emailYenPerMessage, opensBySend } from '../email/email-opens.ts';
import { getJourney } from './journeys.ts';
import {
  type JourneyGroup,
  journeyConversions,
  journeyEntrants,
  type NodeSteps,
  nodeClicks,
  sendNodeSteps,
} from './results-queries.ts';

export interface StepResult {
  nodeId: string;
  /** The node's channel: `line`, `email`, or `line_then_email` (its sends on both, counted together). */
  channel: 'line' | 'email' | 'line_then_email';
  /** Runs that reached the node (a re-entering customer counts again). */
  reached: number;
  /** Handed to LINE and not skipped by the core: delivered + failed + queued. */
  sent: number;
  delivered: number;
  failed: number;
  queued: number;
  /** By reason: the journey's (holdout, render_failed, no_line_channel) and the core's (quiet_hours, capped, no_consent, blocked, …). */
  skipped: Record<string, number>;
  clicked: number;
  /** Email only (null for LINE): messages whose open pixel loaded, an estimate (Apple MPP). */
  opened: number | null;
  /** LINE only: the messages LINE bills (email: 0). */
  billedMessages: number;
  /** LINE messages at the plan's price; email at the sender's yenPerMessage (0 unless set). */
  costYen: number;
}

export interface GroupResult {
  group: JourneyGroup;
  runs: number;
  customers: number;
  converted: number;
  revenue: number;
  conversionRate: number | null;
  revenuePerCustomer: number | null;
  /** Treated minus holdout (null for the holdout, or when either side has < 2 customers). */
  lift: { conversionRate: Interval; revenuePerCustomer: Interval } | null;
}

export interface JourneyResults {
  journeyId: number;
  status: string;
  holdoutPercent: number;
  attributionDays: number;
  linePlan: LinePlan & { yenPerMessage: number };
  entered: { runs: number; customers: number };
  clicked: number;
  billedMessages: number;
  costYen: number;
  /** Revenue lift (per-customer lift × treated customers) per yen of messages (LINE at the plan's price, email at the sender's). */
  revenueLiftPerYen: number | null;
  groups: GroupResult[];
  steps: StepResult[];
}

const EMPTY: GroupConversions = { audience: 0, converted: 0, revenue: { n: 0, sum: 0, sumSquares: 0 } };

interface StepFacts {
  sends: Map<number, SendOutcomes>;
  channels: Map<number, string>;
  opens: Map<number, number>;
  clicked: number;
  unitYen: number;
  emailYen: number;
  /** The channel of the node in the latest definition (for a node whose steps made no send). */
  defined: StepResult['channel'];
}

function stepResult(node: NodeSteps, f: StepFacts): StepResult {
  const out = { delivered: 0, failed: 0, queued: 0, skipped: { ...node.skipped } };
  let opened = 0;
  let lineDelivered = 0;
  for (const id of node.sendIds) {
    const o = f.sends.get(id);
    if (!o) continue;
    if (f.channels.get(id) !== 'email') lineDelivered += o.delivered;
    out.delivered += o.delivered;
    out.failed += o.failed;
    out.queued += o.queued;
    opened += f.opens.get(id) ?? 0;
    for (const [k, v] of Object.entries(o.skipped)) out.skipped[k] = (out.skipped[k] ?? 0) + v;
  }
  const first = node.sendIds[0];
  const used = new Set(node.sendIds.map((id) => f.channels.get(id)).filter((c) => c !== undefined));
  const channel =
    used.size > 1 || f.defined === 'line_then_email'
      ? 'line_then_email'
      : first !== undefined && f.channels.has(first)
        ? f.channels.get(first)
        : f.defined;
  const email = channel === 'email';
  return {
    nodeId: node.nodeId,
    channel: channel === 'line_then_email' ? channel : email ? 'email' : 'line',
    reached: node.steps,
    sent: out.delivered + out.failed + out.queued,
    ...out,
    clicked: f.clicked,
    opened: channel === 'line' ? null : opened,
    // LINE bills its deliveries only; the mails of a line_then_email node are email's (its relay's price).
    billedMessages: lineDelivered,
    costYen: Math.round(lineDelivered * f.unitYen + (out.delivered - lineDelivered) * f.emailYen),
  };
}

function groupResult(
  group: JourneyGroup,
  runs: number,
  c: GroupConversions,
  holdout?: GroupConversions,
): GroupResult {
  const lift =
    holdout && c.audience >= 2 && holdout.audience >= 2
      ? {
          conversionRate: proportionDifference(c.converted, c.audience, holdout.converted, holdout.audience),
          revenuePerCustomer: meanDifference(c.revenue, holdout.revenue),
        }
      : null;
  return {
    group,
    runs,
    customers: c.audience,
    converted: c.converted,
    revenue: Math.round(c.revenue.sum),
    conversionRate: c.audience ? c.converted / c.audience : null,
    revenuePerCustomer: c.audience ? c.revenue.sum / c.audience : null,
    lift,
  };
}

/**
 * The journey's results. `attributionDays` defaults to the goal's window when the goal is an
 * order, else 7: an order counts when it is completed within that many days after an entry.
 */
export async function journeyResults(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
  options: { attributionDays?: number | undefined } = {},
): Promise<JourneyResults> {
  const journey = await getJourney(db, workspaceId, journeyId);
  const def = journey.definition;
  const days = options.attributionDays ?? (def.goal?.event === 'order.recorded' ? def.goal.withinDays : 7);
  const plan = await getLinePlan(db, workspaceId);
  const unitYen = yenPerMessage(plan);
  const emailYen = await emailYenPerMessage(db, workspaceId);
  const entrants = await journeyEntrants(db, workspaceId, journeyId);
  const conv = await journeyConversions(db, workspaceId, journeyId, entrants.groupOf, days);
  const nodes = await sendNodeSteps(db, workspaceId, journeyId);
  const sendIds = [...nodes.values()].flatMap((n) => n.sendIds);
  const sends = await sendOutcomes(db, workspaceId, sendIds);
  const channels = await sendChannels(db, workspaceId, sendIds);
  const opens = await opensBySend(db, workspaceId, sendIds);
  const clicks = await nodeClicks(db, workspaceId, journeyId);
  const defined = new Map(
    def.nodes.map((n) => [n.id, n.type === 'send' && n.channel !== undefined ? n.channel : 'line'] as const),
  );
  // The latest definition's order first, then nodes only older versions had.
  const order = def.nodes.map((n) => n.id);
  const ids = [...nodes.keys()].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  const steps = ids.map((id) =>
    stepResult(nodes.get(id)!, {
      sends,
      channels,
      opens,
      clicked: clicks.get(id) ?? 0,
      unitYen,
      emailYen,
      defined: defined.get(id) ?? 'line',
    }),
  );
  const billed = steps.reduce((s, n) => s + n.billedMessages, 0);
  const exactCost = steps.reduce(
    (s, n) => s + n.billedMessages * unitYen + (n.delivered - n.billedMessages) * emailYen,
    0,
  );
  const holdout = conv.get('holdout') ?? EMPTY;
  const hasHoldout = entrants.runs.holdout > 0 || (def.holdoutPercent ?? 0) > 0;
  const treated = groupResult(
    'treated',
    entrants.runs.treated,
    conv.get('treated') ?? EMPTY,
    hasHoldout ? holdout : undefined,
  );
  return {
    journeyId,
    status: journey.status,
    holdoutPercent: def.holdoutPercent ?? 0,
    attributionDays: days,
    linePlan: { ...plan, yenPerMessage: unitYen },
    entered: { runs: entrants.runs.treated + entrants.runs.holdout, customers: entrants.groupOf.size },
    clicked: clicks.get('') ?? 0,
    billedMessages: billed,
    costYen: Math.round(exactCost),
    revenueLiftPerYen:
      treated.lift && exactCost > 0
        ? (treated.lift.revenuePerCustomer.estimate * treated.customers) / exactCost
        : null,
    groups: hasHoldout ? [treated, groupResult('holdout', entrants.runs.holdout, holdout)] : [treated],
    steps,
  };
}

function rank(order: readonly string[], id: string): number {
  const i = order.indexOf(id);
  return i < 0 ? order.length : i;
}
