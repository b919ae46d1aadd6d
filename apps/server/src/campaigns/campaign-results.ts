// A campaign's results per variant, all variants together, and the holdout: what was sent and
// skipped, clicks, conversions, revenue, the lift over the holdout with 95% intervals, and what
// the LINE messages cost as LINE bills them. Email campaigns count opens too; their mail costs ¥0.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { emailYenPerMessage, opensBySend } from '../email/email-opens.ts';
import { getCampaign } from './campaign-view.ts';
import { type GroupConversions, groupClicks, groupConversions } from './conversions.ts';
import { type Interval, meanDifference, proportionDifference } from './lift-stats.ts';
import { getLinePlan, type LinePlan, yenPerMessage } from './line-plan.ts';
import { type SendOutcomes, sendOutcomes } from './send-outcomes.ts';

export interface GroupResult {
  /** A variant's key, `all` (every variant together) or `holdout`. */
  group: string;
  audience: number;
  /** Recipients whose content did not render (none when the templates were checked at save). */
  renderFailed: number;
  /** Messages handed to LINE (not skipped), delivered (accepted by LINE), failed, still queued. */
  sent: number;
  delivered: number;
  failed: number;
  queued: number;
  skipped: Record<string, number>;
  clicked: number;
  /** Email: messages whose open pixel loaded (an estimate, Apple MPP); LINE and the holdout: null. */
  opened: number | null;
  converted: number;
  revenue: number;
  conversionRate: number | null;
  revenuePerCustomer: number | null;
  /** Against the holdout (null for the holdout itself, or when either side has < 2 customers). */
  lift: { conversionRate: Interval; revenuePerCustomer: Interval } | null;
  /** Messages LINE bills (one per delivered recipient) and their cost, rounded to the yen. */
  billedMessages: number;
  costYen: number;
  /** Revenue lift (per-customer lift × audience) per yen of LINE messages; null without cost or lift. */
  revenueLiftPerYen: number | null;
}

export interface CampaignResults {
  campaignId: number;
  channel: 'line' | 'email';
  status: string;
  sentAt: string | null;
  attributionDays: number;
  holdoutPercent: number;
  linePlan: LinePlan & { yenPerMessage: number };
  groups: GroupResult[];
}

const EMPTY: GroupConversions = { audience: 0, converted: 0, revenue: { n: 0, sum: 0, sumSquares: 0 } };

function liftOf(g: GroupConversions, h: GroupConversions): GroupResult['lift'] {
  if (g.audience < 2 || h.audience < 2) return null;
  return {
    conversionRate: proportionDifference(g.converted, g.audience, h.converted, h.audience),
    revenuePerCustomer: meanDifference(g.revenue, h.revenue),
  };
}

function addConversions(a: GroupConversions, b: GroupConversions): GroupConversions {
  return {
    audience: a.audience + b.audience,
    converted: a.converted + b.converted,
    revenue: {
      n: a.revenue.n + b.revenue.n,
      sum: a.revenue.sum + b.revenue.sum,
      sumSquares: a.revenue.sumSquares + b.revenue.sumSquares,
    },
  };
}

function addOutcomes(a: SendOutcomes, b: SendOutcomes): SendOutcomes {
  const skipped = { ...a.skipped };
  for (const [k, v] of Object.entries(b.skipped)) skipped[k] = (skipped[k] ?? 0) + v;
  return {
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    queued: a.queued + b.queued,
    skipped,
  };
}

function groupResult(
  group: string,
  conv: GroupConversions,
  holdout: GroupConversions | undefined,
  out: SendOutcomes,
  extra: { renderFailed: number; clicked: number; opened: number | null; unitYen: number; email: boolean },
): GroupResult {
  const lift = holdout && group !== 'holdout' ? liftOf(conv, holdout) : null;
  const exactCost = out.delivered * extra.unitYen;
  const costYen = Math.round(exactCost);
  return {
    group,
    audience: conv.audience,
    renderFailed: extra.renderFailed,
    sent: out.delivered + out.failed + out.queued,
    delivered: out.delivered,
    failed: out.failed,
    queued: out.queued,
    skipped: out.skipped,
    clicked: extra.clicked,
    opened: extra.opened,
    converted: conv.converted,
    revenue: Math.round(conv.revenue.sum),
    conversionRate: conv.audience ? conv.converted / conv.audience : null,
    revenuePerCustomer: conv.audience ? conv.revenue.sum / conv.audience : null,
    lift,
    // LINE bills each delivered recipient (its quota); email has no quota, and costs each delivered
    // mail at the sender's yenPerMessage (0 unless the shop set its relay's price).
    billedMessages: extra.email ? 0 : out.delivered,
    costYen,
    revenueLiftPerYen:
      lift && exactCost > 0 ? (lift.revenuePerCustomer.estimate * conv.audience) / exactCost : null,
  };
}

/** The results of a campaign (before it sends: the groups are empty). */
export async function campaignResults(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
): Promise<CampaignResults> {
  const c = await getCampaign(db, workspaceId, id);
  const plan = await getLinePlan(db, workspaceId);
  const email = c.channel === 'email';
  // An email costs what the shop set for its relay (the sender's yenPerMessage); LINE bills per message.
  const unitYen = email ? await emailYenPerMessage(db, workspaceId) : yenPerMessage(plan);
  const base = {
    campaignId: id,
    channel: c.channel,
    status: c.status,
    sentAt: c.sentAt,
    attributionDays: c.attributionDays,
    holdoutPercent: c.holdoutPercent,
    linePlan: { ...plan, yenPerMessage: yenPerMessage(plan) },
  };
  if (!c.sentAt) return { ...base, groups: [] };
  const conv = await groupConversions(db, workspaceId, id, new Date(c.sentAt), c.attributionDays);
  const clicks = await groupClicks(db, workspaceId, id);
  const sendIds = c.variants.flatMap((v) => (v.sendId === null ? [] : [v.sendId]));
  const outcomes = await sendOutcomes(db, workspaceId, sendIds);
  const opens = email ? await opensBySend(db, workspaceId, sendIds) : undefined;
  const openedOf = (sendId: number | null) =>
    opens ? (sendId === null ? 0 : (opens.get(sendId) ?? 0)) : null;
  const { rows } = await sql<{ variant_key: string; n: number }>`
    select variant_key, count(*)::int as n from campaign_recipient
    where workspace_id = ${workspaceId} and campaign_id = ${id} and decision = 'render_failed' group by 1`.execute(
    db,
  );
  const failed = new Map(rows.map((r) => [r.variant_key, r.n]));
  const holdout = c.holdoutPercent > 0 ? (conv.get('holdout') ?? EMPTY) : undefined;
  const none: SendOutcomes = { delivered: 0, failed: 0, queued: 0, skipped: {} };
  let all = EMPTY;
  let allOut = none;
  const groups: GroupResult[] = c.variants.map((v) => {
    const g = conv.get(v.key) ?? EMPTY;
    const out = (v.sendId !== null ? outcomes.get(v.sendId) : undefined) ?? none;
    all = addConversions(all, g);
    allOut = addOutcomes(allOut, out);
    return groupResult(v.key, g, holdout, out, {
      renderFailed: failed.get(v.key) ?? 0,
      clicked: clicks.get(v.key) ?? 0,
      opened: openedOf(v.sendId),
      unitYen,
      email,
    });
  });
  if (c.variants.length > 1) {
    const renderFailed = [...failed.values()].reduce((s, n) => s + n, 0);
    const clicked = [...clicks.values()].reduce((s, n) => s + n, 0);
    const opened = opens ? c.variants.reduce((s, v) => s + (openedOf(v.sendId) ?? 0), 0) : null;
    groups.push(groupResult('all', all, holdout, allOut, { renderFailed, clicked, opened, unitYen, email }));
  }
  if (holdout)
    groups.push(
      groupResult('holdout', holdout, undefined, none, {
        renderFailed: 0,
        clicked: 0,
        opened: opens ? 0 : null,
        unitYen,
        email,
      }),
    );
  return { ...base, groups };
}
