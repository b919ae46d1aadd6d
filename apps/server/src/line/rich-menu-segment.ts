import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError } from '../shared/domain-error.ts';
import { RICH_MENU_SYNC_JOB, requestFullRichMenuSync } from './rich-menu-sync.ts';
import '../segments/segment-tables.ts';

/** How far a menu's segment links have got (from line_rich_menu_link and the workspace's sync). */
export interface RichMenuSyncState {
  /** LINE users LINE has confirmed this menu for. */
  linked: number;
  /** Users who should get this menu and LINE has not confirmed it yet. */
  pending: number;
  /** Members who blocked the account: skipped until they follow again. */
  blocked: number;
  /** Users LINE refused to link this menu to (see lastError). */
  failed: number;
  lastSyncAt: string | null;
  /** LINE's reason for failed rows, else the last run's problem (e.g. LINE unavailable). */
  lastError: string | null;
}

const EMPTY = { linked: 0, pending: 0, blocked: 0, failed: 0 };

/** The sync state of the workspace's menus: a lookup by menu id. */
export async function richMenuSyncStates(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<(menuId: number) => RichMenuSyncState> {
  const [{ rows }, sync] = await Promise.all([
    sql<{ menu_id: number; status: string; n: number; error: string | null }>`
      select case when status = 'synced' then applied_menu_id else desired_menu_id end as menu_id,
        status, count(*)::int as n, max(error) as error
      from line_rich_menu_link where workspace_id = ${workspaceId}
      group by 1, 2`.execute(db),
    db
      .selectFrom('line_rich_menu_sync')
      .select(['last_sync_at', 'last_error'])
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst(),
  ]);
  const states = new Map<number, RichMenuSyncState>();
  const stateOf = (id: number) => {
    let state = states.get(id);
    if (!state) {
      state = {
        ...EMPTY,
        lastSyncAt: sync?.last_sync_at?.toISOString() ?? null,
        lastError: sync?.last_error ?? null,
      };
      states.set(id, state);
    }
    return state;
  };
  for (const row of rows) {
    if (row.menu_id === null) continue;
    const state = stateOf(Number(row.menu_id));
    if (row.status === 'synced') state.linked += row.n;
    else if (row.status === 'pending') state.pending += row.n;
    else if (row.status === 'blocked') state.blocked += row.n;
    else if (row.status === 'failed') {
      state.failed += row.n;
      state.lastError = row.error;
    }
  }
  return stateOf;
}

export interface SegmentAssignment {
  /** The segment whose members get the menu; null stops following (members fall back). */
  segmentId?: number | null;
  /** Precedence among a customer's segment menus: higher wins (default 0). */
  priority?: number;
}

/**
 * Makes a rich menu follow a segment (or stop), and/or changes its priority. The sync job then
 * recomputes every member's menu: members who are LINE friends get it, people whose segments no
 * longer give it lose it (to the next menu by precedence, or the default).
 */
export async function assignRichMenuSegment(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  menu: { id: number; segment_id: number | null; image_uploaded: boolean },
  assignment: SegmentAssignment,
): Promise<void> {
  const { segmentId, priority } = assignment;
  await checkSegmentAssignment(db, workspaceId, menu, assignment);
  const changesSegment = segmentId !== undefined && segmentId !== menu.segment_id;
  await db
    .updateTable('line_rich_menu')
    .set({
      ...(changesSegment
        ? { segment_id: segmentId, segment_assigned_at: segmentId === null ? null : new Date() }
        : {}),
      ...(priority !== undefined ? { priority } : {}),
    })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', menu.id)
    .execute();
  await requestFullRichMenuSync(db, workspaceId);
  // Without a job system here (an API-only test), the next scheduled run does it.
  await jobs?.send(RICH_MENU_SYNC_JOB, { workspaceId });
}

/** Throws `invalid` naming segmentId when the menu cannot follow that segment; writes nothing. */
export async function checkSegmentAssignment(
  db: Kysely<DB>,
  workspaceId: string,
  menu: { image_uploaded: boolean },
  { segmentId }: SegmentAssignment,
): Promise<void> {
  if (segmentId === undefined || segmentId === null) return;
  const segment = await db
    .selectFrom('segment')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', segmentId)
    .executeTakeFirst();
  if (!segment) throw invalidField('segmentId', `no segment ${segmentId} in this workspace`);
  if (!menu.image_uploaded)
    throw invalidField('segmentId', "upload the menu's image first: LINE shows no menu without one");
}

function invalidField(path: string, message: string): DomainError {
  return new DomainError('invalid', `${path}: ${message}`, [{ path, message }]);
}
