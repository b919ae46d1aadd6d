/**
 * Keeps per-user rich menus in step with segment membership, for one workspace:
 * 1. _Intend_ (one transaction per batch): read segment_membership_event past this consumer's
 *    cursor, recompute the intended menu of the customers they name (rich-menu-targets.ts) and
 *    move the cursor, together; likewise the users whose journey assignment changed
 *    (line_rich_menu_assignment.changed, rich-menu-assignments.ts). A menu assigned, unassigned
 *    or re-prioritised (and once an hour) asks for a full reconcile of every member instead.
 * 2. _Apply_: tell LINE the pending rows, grouped by menu, 500 users per bulk link (or bulk
 *    unlink, for users whose segments give them no menu), paced and retried like the delivery
 *    engine (line-request.ts). A row becomes `synced` only if its intent did not change
 *    meanwhile (compare-and-set), so a newer intent is applied by the next round.
 * A crash after LINE took a call but before the row was marked leaves it `pending`: the next run
 * links the same users to the same menu again, which LINE treats as a no-op. One worker at a
 * time applies a workspace's rows (a lease on line_rich_menu_sync), so LINE sees the calls in
 * the order the intents were made.
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { JobContext } from '../jobs/job-types.ts';
import { openChannel } from './channels.ts';
import { lineClients } from './line-client.ts';
import { LINE_HOSTS_ONLY } from './line-hosts.ts';
import { callLine } from './line-request.ts';
import { pacerFor, sleep } from './pacer.ts';
import { reconcileRichMenuLinks } from './rich-menu-targets.ts';
import '../segments/segment-tables.ts';

export const RICH_MENU_SYNC_JOB = 'line-rich-menu-sync';

const EVENT_BATCH = 5_000;
const APPLY_BATCH = 5_000;
const BULK = 500;
// Renewed before every bulk call; long enough to outlast one call's retries under 429s.
const LEASE_MS = 60_000;
/** How long a run waits for another worker's lease before leaving the work to it. */
const WAIT_MS = 20_000;
const FULL_EVERY_MS = 60 * 60 * 1000;
/** Intend-and-apply rounds one run takes at most (see syncRichMenus). */
const MAX_ROUNDS = 5;

export interface RichMenuSyncResult {
  status: 'done' | 'busy' | 'retry_later';
  events: number;
  /** Users whose journey assignment changed and were recomputed. */
  assignments: number;
  full: boolean;
  linked: number;
  unlinked: number;
  failed: number;
}

/** Asks the next sync of the workspace to recompute every member (a menu's segment changed). */
export async function requestFullRichMenuSync(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await sql`insert into line_rich_menu_sync (workspace_id, full_requested) values (${workspaceId}, true)
    on conflict (workspace_id) do update set full_requested = true`.execute(db);
}

/**
 * Runs the sync for one workspace until nothing is left to do (or LINE is unavailable: then
 * `retry_later`, with the reason stored for the API). Waits for another worker's lease to end.
 */
export async function syncRichMenus(
  context: Pick<JobContext, 'database' | 'secrets' | 'logger' | 'lineHosts'>,
  workspaceId: string,
): Promise<RichMenuSyncResult> {
  const db = context.database.db;
  const result: RichMenuSyncResult = {
    status: 'done',
    events: 0,
    assignments: 0,
    full: false,
    linked: 0,
    unlinked: 0,
    failed: 0,
  };
  const owner = randomUUID();
  if (!(await acquireLease(db, workspaceId, owner))) return { ...result, status: 'busy' };
  try {
    const channels = await db
      .selectFrom('line_channel')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .orderBy('id')
      .execute();
    const channelIds = channels.map((c) => c.id);
    result.full = await fullReconcileIfDue(db, workspaceId, channelIds);
    let error: string | null = null;
    // An entry or a journey assignment committed while this run applies is left to it (a run
    // enqueued for it finds the lease taken and goes), so the run takes another round while a
    // round finds new work (the minute's run does what is left after the last round).
    for (let round = 0; round < MAX_ROUNDS && result.status === 'done'; round++) {
      const events = await consumeEvents(db, workspaceId, channelIds);
      const assignments = await consumeAssignments(db, workspaceId);
      result.events += events;
      result.assignments += assignments;
      if (round > 0 && !events && !assignments) break;
      for (const channelId of channelIds) {
        const applied = await applyPending(context, workspaceId, channelId, owner);
        result.linked += applied.linked;
        result.unlinked += applied.unlinked;
        result.failed += applied.failed;
        error ??= applied.error;
        if (applied.retryLater) result.status = 'retry_later';
      }
    }
    await sql`update line_rich_menu_sync set last_sync_at = now(),
      last_error = coalesce(${error}, case when ${result.status === 'done'} then null else last_error end),
      last_error_at = case when ${error}::text is not null then now() else last_error_at end
      where workspace_id = ${workspaceId}`.execute(db);
    return result;
  } finally {
    await sql`update line_rich_menu_sync set lease_owner = null, lease_until = null
      where workspace_id = ${workspaceId} and lease_owner = ${owner}`.execute(db);
  }
}

/**
 * Workspaces the scheduled sweep visits: a menu follows a segment, a full sync is due, rows are
 * pending, or a journey assignment changed.
 */
export async function workspacesToSync(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ workspace_id: string }>`
    select distinct workspace_id from line_rich_menu
      where segment_id is not null or segment_assigned_at is not null
    union select workspace_id from line_rich_menu_sync where full_requested
    union select distinct workspace_id from line_rich_menu_link where status = 'pending'
    union select distinct workspace_id from line_rich_menu_assignment where changed`.execute(db);
  return rows.map((r) => r.workspace_id);
}

async function acquireLease(db: Kysely<DB>, workspaceId: string, owner: string): Promise<boolean> {
  await sql`insert into line_rich_menu_sync (workspace_id) values (${workspaceId})
    on conflict (workspace_id) do nothing`.execute(db);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const { rows } = await sql`update line_rich_menu_sync set lease_owner = ${owner},
        lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval
      where workspace_id = ${workspaceId} and (lease_owner is null or lease_until < now())
      returning 1`.execute(db);
    if (rows.length) return true;
    // Another worker is syncing: it runs until nothing is pending, so waiting is enough.
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

async function renewLease(db: Kysely<DB>, workspaceId: string, owner: string): Promise<boolean> {
  const { rows } = await sql`update line_rich_menu_sync
    set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval
    where workspace_id = ${workspaceId} and lease_owner = ${owner} returning 1`.execute(db);
  return rows.length > 0;
}

async function fullReconcileIfDue(db: Kysely<DB>, workspaceId: string, channelIds: string[]) {
  return transact(db, async (tx) => {
    const { rows } = await sql<{ due: boolean }>`
      select full_requested or last_full_at is null
        or last_full_at < now() - ${`${FULL_EVERY_MS} milliseconds`}::interval
        -- A menu whose segment was deleted: the foreign key cleared segment_id but not the
        -- assignment time (unassigning through the API clears both); its members fall back.
        or exists (select 1 from line_rich_menu r where r.workspace_id = ${workspaceId}
          and r.segment_id is null and r.segment_assigned_at is not null) as due
      from line_rich_menu_sync where workspace_id = ${workspaceId} for update`.execute(tx);
    if (!rows[0]?.due) return false;
    // Every event up to here is covered by recomputing from the current membership.
    const { rows: last } = await sql<{ id: number | null }>`
      select max(id) as id from segment_membership_event where workspace_id = ${workspaceId}`.execute(tx);
    for (const channelId of channelIds)
      await reconcileRichMenuLinks(tx, workspaceId, channelId, { retryFailed: true });
    await sql`update line_rich_menu set segment_assigned_at = null
      where workspace_id = ${workspaceId} and segment_id is null and segment_assigned_at is not null`.execute(
      tx,
    );
    await sql`update line_rich_menu_sync set full_requested = false, last_full_at = now(),
      event_cursor = greatest(event_cursor, ${Number(last[0]?.id ?? 0)})
      where workspace_id = ${workspaceId}`.execute(tx);
    return true;
  });
}

/** Turns entries and exits past the cursor into intended links, moving the cursor with them. */
async function consumeEvents(db: Kysely<DB>, workspaceId: string, channelIds: string[]): Promise<number> {
  let consumed = 0;
  for (;;) {
    const batch = await transact(db, async (tx) => {
      const { rows: cursor } = await sql<{ event_cursor: number }>`
        select event_cursor from line_rich_menu_sync where workspace_id = ${workspaceId} for update`.execute(
        tx,
      );
      const after = Number(cursor[0]?.event_cursor ?? 0);
      const { rows } = await sql<{ id: number; customer_id: number; followed: boolean }>`
        select e.id, e.customer_id, exists (select 1 from line_rich_menu r
          where r.workspace_id = e.workspace_id and r.segment_id = e.segment_id) as followed
        from segment_membership_event e
        where e.workspace_id = ${workspaceId} and e.id > ${after}
        order by e.id limit ${EVENT_BATCH}`.execute(tx);
      if (!rows.length) return 0;
      // Only events of segments a menu follows change an intent; the cursor passes the others.
      const customerIds = rows.filter((r) => r.followed).map((r) => Number(r.customer_id));
      for (const channelId of channelIds)
        await reconcileRichMenuLinks(tx, workspaceId, channelId, { customerIds });
      await sql`update line_rich_menu_sync set event_cursor = ${Number(rows.at(-1)!.id)}
        where workspace_id = ${workspaceId}`.execute(tx);
      return rows.length;
    });
    consumed += batch;
    if (batch < EVENT_BATCH) return consumed;
  }
}

/**
 * Recomputes the users whose journey assignment changed (assigned or released since the last
 * run), clears the mark, and deletes released assignments, in one transaction per batch. The rows
 * are locked in LINE user order, as the journey's assignment writes them, so neither waits on the
 * other in a cycle; an assignment written meanwhile marks its row again for the next run.
 */
async function consumeAssignments(db: Kysely<DB>, workspaceId: string): Promise<number> {
  let consumed = 0;
  for (;;) {
    const batch = await transact(db, async (tx) => {
      const { rows } = await sql<{ channel_id: string; customer_id: number }>`
        with picked as (
          select channel_id, line_user_id from line_rich_menu_assignment
          where workspace_id = ${workspaceId} and changed
          order by channel_id, line_user_id limit ${EVENT_BATCH} for update)
        update line_rich_menu_assignment a set changed = false from picked p
        where a.workspace_id = ${workspaceId} and a.channel_id = p.channel_id
          and a.line_user_id = p.line_user_id
        returning a.channel_id, a.customer_id`.execute(tx);
      if (!rows.length) return 0;
      const byChannel = new Map<string, number[]>();
      for (const r of rows)
        byChannel.set(r.channel_id, [...(byChannel.get(r.channel_id) ?? []), Number(r.customer_id)]);
      for (const [channelId, customerIds] of byChannel)
        await reconcileRichMenuLinks(tx, workspaceId, channelId, { customerIds });
      // Released and recomputed: the user's menu is the segments' again, the row has done its work.
      await sql`delete from line_rich_menu_assignment
        where workspace_id = ${workspaceId} and menu_id is null and not changed`.execute(tx);
      return rows.length;
    });
    consumed += batch;
    if (batch < EVENT_BATCH) return consumed;
  }
}

interface Applied {
  linked: number;
  unlinked: number;
  failed: number;
  error: string | null;
  retryLater: boolean;
}

/** Tells LINE every pending row of the channel, 500 users a call, until none is left. */
async function applyPending(
  context: Pick<JobContext, 'database' | 'secrets' | 'lineHosts'>,
  workspaceId: string,
  channelId: string,
  owner: string,
): Promise<Applied> {
  const db = context.database.db;
  const out: Applied = { linked: 0, unlinked: 0, failed: 0, error: null, retryLater: false };
  let client: ReturnType<typeof lineClients>['api'] | undefined;
  const pacer = pacerFor(channelId, 'richMenuBulk');
  for (;;) {
    const rows = await db
      .selectFrom('line_rich_menu_link as l')
      .leftJoin('line_rich_menu as r', (j) =>
        j.onRef('r.workspace_id', '=', 'l.workspace_id').onRef('r.id', '=', 'l.desired_menu_id'),
      )
      .select(['l.line_user_id', 'l.desired_menu_id', 'r.rich_menu_id'])
      .where('l.workspace_id', '=', workspaceId)
      .where('l.channel_id', '=', channelId)
      .where('l.status', '=', 'pending')
      .orderBy('l.desired_menu_id')
      .orderBy('l.line_user_id')
      .limit(APPLY_BATCH)
      .execute();
    if (!rows.length) return out;
    client ??= lineClients(
      await openChannel(db, context.secrets, workspaceId, channelId),
      context.lineHosts ?? LINE_HOSTS_ONLY,
    ).api;
    const lineClient = client;
    for (const group of groupByMenu(rows)) {
      for (let i = 0; i < group.userIds.length; i += BULK) {
        const userIds = group.userIds.slice(i, i + BULK);
        const richMenuId = group.richMenuId;
        // Lost the lease (this worker stalled past it): another worker carries on in order.
        if (!(await renewLease(db, workspaceId, owner))) return { ...out, retryLater: true };
        const outcome = await callLine(pacer, () =>
          richMenuId === null
            ? lineClient.unlinkRichMenuIdFromUsers({ userIds })
            : lineClient.linkRichMenuIdToUsers({ richMenuId, userIds }),
        );
        if (outcome.kind === 'ok') {
          const n = await markRows(db, workspaceId, channelId, userIds, group.menuId, 'synced', null);
          if (group.menuId === null) out.unlinked += n;
          else out.linked += n;
        } else if (outcome.kind === 'retry_later') {
          // LINE unavailable: the rows stay pending for the next run.
          return { ...out, error: `LINE unavailable: ${outcome.error}`, retryLater: true };
        } else {
          const error =
            outcome.kind === 'failed' ? outcome.error : `unexpected LINE answer (${outcome.kind})`;
          out.failed += await markRows(db, workspaceId, channelId, userIds, group.menuId, 'failed', error);
          out.error = error;
        }
      }
    }
  }
}

function groupByMenu(
  rows: { line_user_id: string; desired_menu_id: number | null; rich_menu_id: string | null }[],
): { menuId: number | null; richMenuId: string | null; userIds: string[] }[] {
  const groups = new Map<
    number | null,
    { menuId: number | null; richMenuId: string | null; userIds: string[] }
  >();
  for (const row of rows) {
    const menuId = row.desired_menu_id === null ? null : Number(row.desired_menu_id);
    let group = groups.get(menuId);
    if (!group) {
      group = { menuId, richMenuId: menuId === null ? null : row.rich_menu_id, userIds: [] };
      groups.set(menuId, group);
    }
    group.userIds.push(row.line_user_id);
  }
  return [...groups.values()];
}

/** Marks rows whose intent is still what was sent (compare-and-set); returns how many. */
async function markRows(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  userIds: string[],
  menuId: number | null,
  status: 'synced' | 'failed',
  error: string | null,
): Promise<number> {
  const result = await sql`update line_rich_menu_link set status = ${status}, error = ${error},
      applied_menu_id = case when ${status} = 'synced' then ${menuId}::bigint else applied_menu_id end,
      synced_at = case when ${status} = 'synced' then now() else synced_at end, updated_at = now()
    where workspace_id = ${workspaceId} and channel_id = ${channelId} and status = 'pending'
      and line_user_id = any(${userIds}::text[])
      and desired_menu_id is not distinct from ${menuId}::bigint`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
