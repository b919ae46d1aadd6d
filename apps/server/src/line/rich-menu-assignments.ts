/**
 * Rich menus assigned to LINE users directly, by a journey's `linkRichMenu` action, and released
 * by its `unlinkRichMenu` (line_rich_menu_assignment). LINE stays the owner of each user's menu:
 * these functions only record the assignment (in the caller's transaction, so it commits with the
 * journey step that made it) and enqueue the rich menu sync; the sync recomputes the users'
 * intended menus (rich-menu-targets.ts: assignment > segment menus by priority > default) and
 * tells LINE (rich-menu-sync.ts). So a journey and the segment sync never overwrite each other.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { RICH_MENU_SYNC_JOB } from './rich-menu-sync.ts';
import './line-tables.ts';

/** Enqueues a job in the caller's transaction (Jobs.sendInTransaction). */
export type EnqueueInTransaction = (tx: Transaction<DB>, name: string, data: object) => Promise<unknown>;

/** Why a customer got no menu: recorded on the journey step as a skip, not thrown. */
export type RichMenuSkipReason = 'not_a_line_friend' | 'line_blocked' | 'rich_menu_unavailable';

export interface RichMenuSkip {
  reason: RichMenuSkipReason;
  message: string;
}

/** One customer to assign a menu to (or release), with the key of the effect that does it. */
export interface AssignmentTarget {
  customerId: number;
  /** Derived from what the effect is, e.g. `journey-run:5:step:3` (stored, for tracing). */
  key: string;
}

export interface AssignmentInput {
  targets: readonly AssignmentTarget[];
  /** Who assigns: `journey:12`. */
  assignedBy: string;
  at: Date;
}

/**
 * The menus (by Kizuna id) a journey could not assign, with the reason: not this workspace's,
 * or without an image (LINE shows no menu without one). Menus absent from the map are usable.
 */
export async function richMenuProblems(
  db: Kysely<DB>,
  workspaceId: string,
  menuIds: readonly number[],
): Promise<Map<number, string>> {
  const ids = [...new Set(menuIds)];
  const problems = new Map<number, string>();
  if (!ids.length) return problems;
  const rows = await db
    .selectFrom('line_rich_menu')
    .select(['id', 'rich_menu_id', 'image_uploaded'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', sql<number>`any(${ids}::bigint[])`)
    .execute();
  const found = new Map(rows.map((r) => [Number(r.id), r]));
  for (const id of ids) {
    const menu = found.get(id);
    if (!menu) problems.set(id, `no rich menu ${id} in this workspace`);
    else if (!menu.rich_menu_id || !menu.image_uploaded)
      problems.set(id, `rich menu ${id} has no image yet: upload it first (LINE shows no menu without one)`);
  }
  return problems;
}

/**
 * Assigns menu `menuId` to the targets' LINE users on the menu's channel, in `tx`. A target who
 * is not a friend of that channel (no LINE identity, never followed it) or who blocked it gets
 * no assignment and is returned with the reason. Repeating an assignment with the same key
 * writes nothing. Enqueues the sync (when `enqueue` is given; else the minute's run does it).
 *
 * @example
 * const skipped = await assignRichMenuInTx(tx, ws, 7, { targets, assignedBy: 'journey:3', at }, jobs.sendInTransaction);
 */
export async function assignRichMenuInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  menuId: number,
  input: AssignmentInput,
  enqueue?: EnqueueInTransaction,
): Promise<Map<number, RichMenuSkip>> {
  const skipped = new Map<number, RichMenuSkip>();
  const menu = await tx
    .selectFrom('line_rich_menu')
    .select(['channel_id', 'rich_menu_id', 'image_uploaded'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', menuId)
    .executeTakeFirst();
  if (!menu?.rich_menu_id || !menu.image_uploaded) {
    // Checked when the journey was saved; only a channel removed since then gets here.
    for (const t of input.targets)
      skipped.set(t.customerId, {
        reason: 'rich_menu_unavailable',
        message: `rich menu ${menuId} is not in this workspace or has no image`,
      });
    return skipped;
  }
  const friends = await lineFriendsOf(
    tx,
    workspaceId,
    menu.channel_id,
    input.targets.map((t) => t.customerId),
  );
  const byCustomer = new Map<number, typeof friends>();
  for (const f of friends) byCustomer.set(f.customerId, [...(byCustomer.get(f.customerId) ?? []), f]);
  // One row per LINE user: a customer in two runs of a keyed journey is assigned once (the
  // statement below cannot update a row twice).
  const byUser = new Map<string, { lineUserId: string; customerId: number; key: string }>();
  for (const t of input.targets) {
    const mine = byCustomer.get(t.customerId) ?? [];
    const reachable = mine.filter((f) => f.reachable);
    for (const f of reachable)
      byUser.set(f.lineUserId, { lineUserId: f.lineUserId, customerId: t.customerId, key: t.key });
    if (reachable.length) continue;
    skipped.set(
      t.customerId,
      mine.length
        ? { reason: 'line_blocked', message: 'the customer blocked the LINE account of the rich menu' }
        : {
            reason: 'not_a_line_friend',
            message: 'the customer is not a friend of the LINE account of the rich menu',
          },
    );
  }
  const rows = [...byUser.values()];
  if (!rows.length) return skipped;
  rows.sort((a, b) => (a.lineUserId < b.lineUserId ? -1 : a.lineUserId > b.lineUserId ? 1 : 0));
  // In LINE user order, as the sync locks them, so the two cannot deadlock on each other's rows.
  await sql`insert into line_rich_menu_assignment as a
      (workspace_id, channel_id, line_user_id, customer_id, menu_id, assigned_by, assignment_key, assigned_at, changed)
    select ${workspaceId}::uuid, ${menu.channel_id}::uuid, u.line_user_id, u.customer_id, ${menuId}::bigint,
      ${input.assignedBy}, u.key, ${input.at}::timestamptz, true
    from unnest(${rows.map((r) => r.lineUserId)}::text[], ${rows.map((r) => r.customerId)}::bigint[],
      ${rows.map((r) => r.key)}::text[]) with ordinality u(line_user_id, customer_id, key, n)
    order by u.n
    on conflict (workspace_id, channel_id, line_user_id) do update set
      customer_id = excluded.customer_id, menu_id = excluded.menu_id, assigned_by = excluded.assigned_by,
      assignment_key = excluded.assignment_key, assigned_at = excluded.assigned_at, changed = true
    where (a.menu_id, a.assignment_key) is distinct from (excluded.menu_id, excluded.assignment_key)`.execute(
    tx,
  );
  await enqueue?.(tx, RICH_MENU_SYNC_JOB, { workspaceId });
  return skipped;
}

/**
 * Releases the targets' assigned menus on every channel, in `tx`: their users go back to what
 * their segments (or the default) give them at the sync's next run. Returns the customers who had
 * an assignment to release; for the others there was nothing to undo.
 */
export async function releaseRichMenusInTx(
  tx: Transaction<DB>,
  workspaceId: string,
  input: AssignmentInput,
  enqueue?: EnqueueInTransaction,
): Promise<Set<number>> {
  if (!input.targets.length) return new Set();
  // Locked in (channel, LINE user) order first, as the sync locks them.
  const { rows } = await sql<{ customer_id: number }>`
    with u as (
      select distinct on (customer_id) customer_id, key
      from unnest(${input.targets.map((t) => t.customerId)}::bigint[], ${input.targets.map((t) => t.key)}::text[])
        u(customer_id, key)),
    picked as (
      select a.channel_id, a.line_user_id, u.key from line_rich_menu_assignment a join u using (customer_id)
      where a.workspace_id = ${workspaceId} and a.menu_id is not null
      order by a.channel_id, a.line_user_id for update of a)
    update line_rich_menu_assignment a set menu_id = null, assigned_by = ${input.assignedBy},
      assignment_key = p.key, assigned_at = ${input.at}::timestamptz, changed = true
    from picked p
    where a.workspace_id = ${workspaceId} and a.channel_id = p.channel_id and a.line_user_id = p.line_user_id
    returning a.customer_id`.execute(tx);
  if (rows.length) await enqueue?.(tx, RICH_MENU_SYNC_JOB, { workspaceId });
  return new Set(rows.map((r) => Number(r.customer_id)));
}

/** The customers' LINE users that have a friend row on the channel, and whether they can get a menu. */
async function lineFriendsOf(
  tx: Transaction<DB>,
  workspaceId: string,
  channelId: string,
  customerIds: number[],
): Promise<{ customerId: number; lineUserId: string; reachable: boolean }[]> {
  const { rows } = await sql<{ customer_id: number; line_user_id: string; reachable: boolean }>`
    select i.customer_id, f.line_user_id,
      f.status = 'friend' and not exists (select 1 from customer_consent k
        where k.workspace_id = i.workspace_id and k.customer_id = i.customer_id and k.channel = 'line'
          and k.purpose = 'marketing' and k.status = 'blocked') as reachable
    from customer_identity i
    join line_friend f on f.workspace_id = i.workspace_id and f.channel_id = ${channelId}
      and f.line_user_id = i.value
    where i.workspace_id = ${workspaceId} and i.kind = 'line'
      and i.customer_id = any(${customerIds}::bigint[])`.execute(tx);
  return rows.map((r) => ({
    customerId: Number(r.customer_id),
    lineUserId: r.line_user_id,
    reachable: r.reachable,
  }));
}
