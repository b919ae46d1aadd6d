// A journey's action node: the effect is the owning capability's own domain function (loyalty
// grants coupons and points, customers keeps tags and attributes, LINE records a rich menu
// assignment and syncs it); journeys write no other capability's tables. Each effect carries a
// key derived from (run, step), so even a replay outside the step record's protection would find
// the first coupon or points entry.
import { addCustomerTag, removeCustomerTag, setCustomerAttribute } from '../customers/customer-tags.ts';
import { assignRichMenuInTx, releaseRichMenusInTx } from '../line/rich-menu-assignments.ts';
import { grantCouponInTx } from '../loyalty/coupons.ts';
import { lockMembers } from '../loyalty/members.ts';
import { earnInTx } from '../loyalty/points-ledger.ts';
import { loadRules } from '../loyalty/rules.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { Action } from './definition.ts';
import { skipHoldout } from './holdout.ts';
import type { NodeContext } from './node-context.ts';
import type { RunState } from './run-state.ts';

const effectKey = (r: RunState) => `journey-run:${r.id}:step:${r.stepNo}`;

/** Runs the action for each run (its step just recorded), recording a refused one as skipped. */
export async function runActions(ctx: NodeContext, action: Action, runs: RunState[]): Promise<void> {
  if (!runs.length) return;
  const { tx, workspaceId: ws, now } = ctx;
  const ids = runs.map((r) => r.customerId);
  switch (action.type) {
    case 'addTag':
      await addCustomerTag(tx, ws, ids, action.tag, now);
      break;
    case 'removeTag':
      await removeCustomerTag(tx, ws, ids, action.tag, now);
      break;
    case 'setAttribute':
      await setCustomerAttribute(tx, ws, ids, action.name, action.value, now);
      break;
    case 'grantCoupon':
    case 'addPoints':
      return loyaltyActions(ctx, action, runs);
    case 'linkRichMenu':
    case 'unlinkRichMenu':
      return richMenuActions(ctx, action, runs);
  }
  // A profile change, as the customers API publishes it: segments on tags and attributes follow
  // (and rich menus that follow those segments), in this transaction.
  await ctx.jobs?.publish?.(tx, 'customers.changed', { workspaceId: ws, customerIds: ids });
}

async function loyaltyActions(
  ctx: NodeContext,
  action: Extract<Action, { type: 'grantCoupon' | 'addPoints' }>,
  all: RunState[],
): Promise<void> {
  const { tx, workspaceId: ws, now } = ctx;
  // Coupons and points are value given: the holdout goes without, or the lift would mix them in.
  const runs = skipHoldout(ctx, all);
  if (!runs.length) return;
  // Member rows locked in customer order, as every loyalty change does.
  const members = await lockMembers(
    tx,
    ws,
    runs.map((r) => r.customerId),
  );
  const validityMonths = action.type === 'addPoints' ? (await loadRules(tx, ws)).lotValidityMonths : 0;
  const skipped: { runId: number; stepNo: number; outcome: string; detail: unknown }[] = [];
  const actor = `journey:${ctx.journeyId}`;
  for (const r of runs) {
    const skip = (reason: string, message: string) =>
      skipped.push({ runId: r.id, stepNo: r.stepNo, outcome: 'skipped', detail: { reason, message } });
    if (!members.has(r.customerId)) {
      skip('not_a_member', 'the customer cannot be a loyalty member (merged away)');
      continue;
    }
    try {
      if (action.type === 'grantCoupon')
        await grantCouponInTx(tx, ws, {
          templateId: action.templateId,
          customerId: r.customerId,
          source: 'journey',
          actor,
          grantKey: effectKey(r),
          at: now,
        });
      else
        await earnInTx(tx, ws, {
          customerId: r.customerId,
          points: action.points,
          actor,
          reason: action.reason ?? 'journey',
          idempotencyKey: effectKey(r),
          earnedAt: now,
          validityMonths,
        });
    } catch (error) {
      // Refusals (a limit reached, an inactive template) are thrown before any write, so the
      // transaction goes on; anything else is a bug or an outage and fails the batch.
      if (!(error instanceof DomainError)) throw error;
      skip(error.reason ?? error.code, error.message);
    }
  }
  ctx.steps.update(skipped);
}

/**
 * Links or releases a rich menu through the LINE capability, in the engine's transaction (the
 * assignment commits with the step; the sync links it on LINE after the commit). Not held out:
 * like a tag, a menu is no value given. A customer who is not a reachable friend of the menu's
 * LINE account is recorded as skipped with the reason.
 */
async function richMenuActions(
  ctx: NodeContext,
  action: Extract<Action, { type: 'linkRichMenu' | 'unlinkRichMenu' }>,
  runs: RunState[],
): Promise<void> {
  const { tx, workspaceId: ws, now } = ctx;
  const input = {
    targets: runs.map((r) => ({ customerId: r.customerId, key: effectKey(r) })),
    assignedBy: `journey:${ctx.journeyId}`,
    at: now,
  };
  const enqueue = ctx.jobs?.sendInTransaction.bind(ctx.jobs);
  if (action.type === 'unlinkRichMenu') {
    await releaseRichMenusInTx(tx, ws, input, enqueue);
    return;
  }
  const skipped = await assignRichMenuInTx(tx, ws, action.richMenuId, input, enqueue);
  ctx.steps.update(
    runs.flatMap((r) => {
      const skip = skipped.get(r.customerId);
      return skip ? [{ runId: r.id, stepNo: r.stepNo, outcome: 'skipped', detail: skip }] : [];
    }),
  );
}
