/**
 * The intended rich menu of each LINE user, from a journey's assignment and segment membership:
 * one statement per channel that works out, for the customers in scope, which menu they get and
 * records it in line_rich_menu_link (status `pending` where LINE must be told). No call to LINE is made
 * here; rich-menu-sync.ts applies the pending rows. Running it again with nothing changed
 * writes nothing, so it is safe to run as often as wanted and from any number of workers.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import './line-tables.ts';
import '../segments/segment-tables.ts';

export interface ReconcileScope {
  /** Only these customers (an entry, exit, follow or unfollow); every managed user when absent. */
  customerIds?: readonly number[];
  /** Also retry rows LINE refused before (a full reconcile does). */
  retryFailed?: boolean;
}

/**
 * Records the intended menu of the LINE users of `channelId` in scope and returns how many rows
 * changed. Precedence: a menu a journey assigned to the user (line_rich_menu_assignment, until
 * the journey releases it); else, of the menus on this channel whose segment the customer is in,
 * the highest `priority` wins, then the most recently assigned, then the higher id; none means no
 * per-user link (the default menu shows). Only menus LINE can show count (created, image uploaded).
 * A user who blocked the account (LINE friend status `blocked`, or LINE consent `blocked`) is
 * recorded as `blocked` and LINE is not called for them; when they follow again the row becomes
 * `pending`, so they get their segment's menu (or lose a stale one) again.
 */
export async function reconcileRichMenuLinks(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  scope: ReconcileScope = {},
): Promise<number> {
  const ids = scope.customerIds ? [...new Set(scope.customerIds)] : undefined;
  if (ids && ids.length === 0) return 0;
  const inMembers = ids ? sql`and m.customer_id = any(${ids}::bigint[])` : sql``;
  const inLinks = ids ? sql`and l.customer_id = any(${ids}::bigint[])` : sql``;
  const inAssigned = ids ? sql`and a.customer_id = any(${ids}::bigint[])` : sql``;
  const retryFailed = scope.retryFailed ?? false;
  const result = await sql`
    with menus as materialized (
      select id, segment_id, priority, segment_assigned_at from line_rich_menu
      where workspace_id = ${workspaceId} and channel_id = ${channelId} and segment_id is not null
        and rich_menu_id is not null and image_uploaded),
    assigned as materialized (
      select a.line_user_id, a.menu_id from line_rich_menu_assignment a
      join line_rich_menu r on r.workspace_id = a.workspace_id and r.id = a.menu_id
      where a.workspace_id = ${workspaceId} and a.channel_id = ${channelId} and r.channel_id = ${channelId}
        and r.rich_menu_id is not null and r.image_uploaded ${inAssigned}),
    candidates as (
      select m.customer_id from segment_member m
      where m.workspace_id = ${workspaceId} and m.segment_id in (select segment_id from menus) ${inMembers}
      union
      select l.customer_id from line_rich_menu_link l
      where l.workspace_id = ${workspaceId} and l.channel_id = ${channelId} ${inLinks}
      union
      select a.customer_id from line_rich_menu_assignment a
      where a.workspace_id = ${workspaceId} and a.channel_id = ${channelId} ${inAssigned}),
    targets as (
      select i.customer_id, i.value as line_user_id,
        coalesce(
          (select assigned.menu_id from assigned where assigned.line_user_id = i.value),
          (select menus.id from segment_member m join menus on menus.segment_id = m.segment_id
            where m.workspace_id = ${workspaceId} and m.customer_id = i.customer_id
            order by menus.priority desc, menus.segment_assigned_at desc nulls last, menus.id desc
            limit 1)) as desired,
        (exists (select 1 from line_friend f where f.workspace_id = ${workspaceId}
            and f.channel_id = ${channelId} and f.line_user_id = i.value and f.status = 'blocked')
          or exists (select 1 from customer_consent k where k.workspace_id = ${workspaceId}
            and k.customer_id = i.customer_id and k.channel = 'line' and k.purpose = 'marketing'
            and k.status = 'blocked')) as blocked
      from customer_identity i
      where i.workspace_id = ${workspaceId} and i.kind = 'line'
        and i.customer_id in (select customer_id from candidates))
    insert into line_rich_menu_link as l
      (workspace_id, channel_id, line_user_id, customer_id, desired_menu_id, status, updated_at)
    select ${workspaceId}::uuid, ${channelId}::uuid, t.line_user_id, t.customer_id, t.desired,
      case when t.blocked then 'blocked' else 'pending' end, now()
    from targets t
    -- A user with no menu who was never managed needs no row (and no call).
    where t.desired is not null or exists (select 1 from line_rich_menu_link x
      where x.workspace_id = ${workspaceId} and x.channel_id = ${channelId} and x.line_user_id = t.line_user_id)
    on conflict (workspace_id, channel_id, line_user_id) do update set
      customer_id = excluded.customer_id,
      desired_menu_id = excluded.desired_menu_id,
      status = ${nextStatus(retryFailed)},
      error = case when ${nextStatus(retryFailed)} = 'failed' then l.error end,
      updated_at = now()
    where (l.customer_id, l.desired_menu_id, l.status)
      is distinct from (excluded.customer_id, excluded.desired_menu_id, ${nextStatus(retryFailed)})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}

/**
 * The row's next status. A synced row stays synced when the intended menu is what LINE already
 * has. A pending row stays pending even when the intent went back to the applied menu: a call
 * for the other menu may be on the wire, and telling LINE the current intent again is harmless.
 */
function nextStatus(retryFailed: boolean) {
  return sql`(case
    when excluded.status = 'blocked' then 'blocked'
    when l.status = 'synced' and l.applied_menu_id is not distinct from excluded.desired_menu_id then 'synced'
    when l.status = 'failed' and not ${retryFailed}::boolean
      and l.desired_menu_id is not distinct from excluded.desired_menu_id then 'failed'
    else 'pending' end)`;
}
