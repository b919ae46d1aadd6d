// The workspace's LINE official account plan (料金プラン), which prices the messages a campaign
// sent. LINE bills one message per recipient per push or multicast, however many (up to five)
// message objects it carries; replies are free. Plans as LINE Japan sells them since June 2023
// (monthly fee / messages included / price of an additional message):
//   コミュニケーションプラン ¥0 / 200 / none · ライトプラン ¥5,000 / 5,000 / none ·
//   スタンダードプラン ¥15,000 / 30,000 / up to ¥3 (less at volume). Check LINE's current price list.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';

export type LinePlanName = 'communication' | 'light' | 'standard' | 'custom';

export interface LinePlan {
  plan: LinePlanName;
  monthlyFeeYen: number;
  freeMessages: number;
  /** Yen per message beyond the free ones; null: the plan cannot send more. */
  yenPerAdditionalMessage: number | null;
  /** Whether the workspace set it (false: the default, standard). */
  configured: boolean;
}

export const LINE_PLAN_DEFAULTS: Record<Exclude<LinePlanName, 'custom'>, Omit<LinePlan, 'configured'>> = {
  communication: {
    plan: 'communication',
    monthlyFeeYen: 0,
    freeMessages: 200,
    yenPerAdditionalMessage: null,
  },
  light: { plan: 'light', monthlyFeeYen: 5_000, freeMessages: 5_000, yenPerAdditionalMessage: null },
  standard: { plan: 'standard', monthlyFeeYen: 15_000, freeMessages: 30_000, yenPerAdditionalMessage: 3 },
};

/**
 * Yen one message costs: the additional-message price where the plan has one (a campaign's
 * messages displace paid ones at the margin), else the plan's fee shared over its messages.
 */
export function yenPerMessage(plan: Omit<LinePlan, 'configured'>): number {
  if (plan.yenPerAdditionalMessage !== null) return plan.yenPerAdditionalMessage;
  return plan.freeMessages > 0 ? plan.monthlyFeeYen / plan.freeMessages : 0;
}

export async function getLinePlan(db: Kysely<DB>, workspaceId: string): Promise<LinePlan> {
  const row = await db
    .selectFrom('line_plan')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row) return { ...LINE_PLAN_DEFAULTS.standard, configured: false };
  return {
    plan: row.plan,
    monthlyFeeYen: row.monthly_fee_yen,
    freeMessages: row.free_messages,
    yenPerAdditionalMessage: row.additional_message_yen === null ? null : Number(row.additional_message_yen),
    configured: true,
  };
}

/** Sets the plan: a named plan takes its defaults unless a field is given; `custom` needs them all. */
export async function putLinePlan(
  db: Kysely<DB>,
  workspaceId: string,
  input: {
    plan: LinePlanName;
    monthlyFeeYen?: number;
    freeMessages?: number;
    yenPerAdditionalMessage?: number | null;
  },
  now: Date,
): Promise<LinePlan> {
  const base = input.plan === 'custom' ? undefined : LINE_PLAN_DEFAULTS[input.plan];
  const fee = input.monthlyFeeYen ?? base?.monthlyFeeYen;
  const free = input.freeMessages ?? base?.freeMessages;
  const extra =
    input.yenPerAdditionalMessage !== undefined
      ? input.yenPerAdditionalMessage
      : base?.yenPerAdditionalMessage;
  const missing = [
    ...(fee === undefined ? ['monthlyFeeYen'] : []),
    ...(free === undefined ? ['freeMessages'] : []),
    ...(extra === undefined ? ['yenPerAdditionalMessage'] : []),
  ];
  if (missing.length)
    throw invalid(missing.map((path) => ({ path, message: 'is required for a custom plan' })));
  const values = {
    plan: input.plan,
    monthly_fee_yen: fee!,
    free_messages: free!,
    additional_message_yen: extra ?? null,
    updated_at: now,
  };
  await db
    .insertInto('line_plan')
    .values({ workspace_id: workspaceId, ...values })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
    .execute();
  return getLinePlan(db, workspaceId);
}
