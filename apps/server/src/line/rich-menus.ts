import type { messagingApi } from '@line/bot-sdk';
import { type Kysely, type Selectable, sql } from 'kysely';
import { assertCustomersExist } from '../customers/known-customers.ts';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { DomainError, FOREIGN_KEY_VIOLATION, notFound, pgErrorCode } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { openChannel } from './channels.ts';
import { lineClients } from './line-client.ts';
import { lineCall } from './line-errors.ts';
import type { LineHostAllowance } from './line-hosts.ts';
import type { LineRichMenuTable } from './line-tables.ts';
import {
  assignRichMenuSegment,
  checkSegmentAssignment,
  type RichMenuSyncState,
  richMenuSyncStates,
  type SegmentAssignment,
} from './rich-menu-segment.ts';

export interface RichMenuView {
  id: number;
  channelId: string;
  name: string;
  richMenuId: string | null;
  imageUploaded: boolean;
  isDefault: boolean;
  /** The segment whose members get this menu (kept in step by the sync job). */
  segmentId: number | null;
  priority: number;
  segmentAssignedAt: string | null;
  sync: RichMenuSyncState;
  definition: Record<string, unknown>;
}

async function view(
  db: Kysely<DB>,
  row: Selectable<LineRichMenuTable>,
  states?: (menuId: number) => RichMenuSyncState,
): Promise<RichMenuView> {
  const stateOf = states ?? (await richMenuSyncStates(db, row.workspace_id));
  return {
    id: row.id,
    channelId: row.channel_id,
    name: row.name,
    richMenuId: row.rich_menu_id,
    imageUploaded: row.image_uploaded,
    isDefault: row.is_default,
    segmentId: row.segment_id === null ? null : Number(row.segment_id),
    priority: row.priority,
    segmentAssignedAt: row.segment_assigned_at?.toISOString() ?? null,
    sync: stateOf(row.id),
    definition: row.definition,
  };
}

async function loadMenu(db: Kysely<DB>, workspaceId: string, id: number) {
  const row = await db
    .selectFrom('line_rich_menu')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('rich menu');
  return row;
}

/**
 * Defines a rich menu (size, chat bar text and up to 20 tappable areas, in LINE's shape) and
 * creates it on LINE. LINE checks the definition; its reason comes back as `invalid`. When the
 * menu cannot be stored (the channel was removed meanwhile, the database failed), it is deleted
 * from LINE again: a channel holds at most 1,000 menus, and one Kizuna does not know of would
 * never be cleaned up.
 */
export async function createRichMenu(
  db: Kysely<DB>,
  secrets: SecretBox,
  hosts: LineHostAllowance,
  workspaceId: string,
  channelId: string,
  definition: messagingApi.RichMenuRequest,
): Promise<RichMenuView> {
  const channel = await openChannel(db, secrets, workspaceId, channelId);
  const client = lineClients(channel, hosts).api;
  const { richMenuId } = await lineCall(() => client.createRichMenu(definition));
  try {
    const row = await db
      .insertInto('line_rich_menu')
      .values({
        workspace_id: workspaceId,
        channel_id: channelId,
        name: definition.name ?? '',
        definition: JSON.stringify(definition),
        rich_menu_id: richMenuId,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return await view(db, row);
  } catch (error) {
    try {
      await client.deleteRichMenu(richMenuId);
    } catch (cleanup) {
      throw new AggregateError(
        [error, cleanup],
        `rich menu ${richMenuId} was created on LINE but neither stored nor deleted again`,
      );
    }
    if (pgErrorCode(error) === FOREIGN_KEY_VIOLATION) throw notFound('LINE channel');
    throw error;
  }
}

/** Uploads the menu's image (JPEG or PNG, ≤1 MB, the menu's size). LINE takes one image per menu. */
export async function uploadRichMenuImage(
  db: Kysely<DB>,
  secrets: SecretBox,
  hosts: LineHostAllowance,
  workspaceId: string,
  id: number,
  image: Buffer,
  contentType: string,
): Promise<RichMenuView> {
  const menu = await loadMenu(db, workspaceId, id);
  if (menu.image_uploaded)
    throw new DomainError('conflict', 'LINE takes one image per rich menu; define a new menu to change it');
  const channel = await openChannel(db, secrets, workspaceId, menu.channel_id);
  await lineCall(() =>
    lineClients(channel, hosts).blob.setRichMenuImage(
      menu.rich_menu_id!,
      new Blob([image], { type: contentType }),
    ),
  );
  await db
    .updateTable('line_rich_menu')
    .set({ image_uploaded: true })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
  return view(db, { ...menu, image_uploaded: true });
}

/** Makes the menu every friend sees unless a menu is linked to them. */
export async function setDefaultRichMenu(
  db: Kysely<DB>,
  secrets: SecretBox,
  hosts: LineHostAllowance,
  workspaceId: string,
  id: number,
): Promise<RichMenuView> {
  const menu = await loadMenu(db, workspaceId, id);
  const channel = await openChannel(db, secrets, workspaceId, menu.channel_id);
  await lineCall(() => lineClients(channel, hosts).api.setDefaultRichMenu(menu.rich_menu_id!));
  await sql`update line_rich_menu set is_default = (id = ${id})
    where workspace_id = ${workspaceId} and channel_id = ${menu.channel_id}`.execute(db);
  return view(db, { ...menu, is_default: true });
}

/**
 * Links the menu to customers (their LINE ids, 500 per bulk-link request), once, and/or makes it
 * follow a segment (`segmentId`, with a `priority`): the sync job then links it to the segment's
 * members who are LINE friends and keeps the links in step as customers enter and exit. A link
 * made here by customer id is not tracked: a later segment change for that user overrides it.
 * Everything is checked before anything is written or sent: a customer id that is not this
 * workspace's, or a bad segment, is `invalid` naming it. The segment is assigned once LINE has
 * taken the links (a refusal leaves the assignment as it was; bulk links are safe to repeat).
 */
export async function linkRichMenu(
  db: Kysely<DB>,
  secrets: SecretBox,
  hosts: LineHostAllowance,
  jobs: Jobs | undefined,
  workspaceId: string,
  id: number,
  target: { customerIds?: number[] } & SegmentAssignment,
): Promise<{ menu: RichMenuView; linkedUsers: number; customersWithoutLine: number }> {
  const menu = await loadMenu(db, workspaceId, id);
  const assigns = target.segmentId !== undefined || target.priority !== undefined;
  await assertCustomersExist(
    db,
    workspaceId,
    (target.customerIds ?? []).map((customerId, i) => ({ path: `customerIds[${i}]`, customerId })),
  );
  if (assigns) await checkSegmentAssignment(db, workspaceId, menu, target);
  const customerIds = [...new Set(target.customerIds ?? [])];
  const rows = customerIds.length
    ? await db
        .selectFrom('customer_identity')
        .select(['customer_id', 'value'])
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', 'line')
        .where('customer_id', '=', sql<number>`any(${customerIds}::bigint[])`)
        .execute()
    : [];
  const userIds = [...new Set(rows.map((r) => r.value))];
  if (userIds.length) {
    const channel = await openChannel(db, secrets, workspaceId, menu.channel_id);
    const client = lineClients(channel, hosts).api;
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      await lineCall(() => client.linkRichMenuIdToUsers({ richMenuId: menu.rich_menu_id!, userIds: chunk }));
    }
  }
  if (assigns) await assignRichMenuSegment(db, jobs, workspaceId, menu, target);
  const linkedCustomers = new Set(rows.map((r) => r.customer_id));
  return {
    menu: await view(db, await loadMenu(db, workspaceId, id)),
    linkedUsers: userIds.length,
    customersWithoutLine: customerIds.length - linkedCustomers.size,
  };
}

/** One menu with its segment and sync state. */
export async function getRichMenu(db: Kysely<DB>, workspaceId: string, id: number): Promise<RichMenuView> {
  return view(db, await loadMenu(db, workspaceId, id));
}

export async function listRichMenus(db: Kysely<DB>, workspaceId: string): Promise<RichMenuView[]> {
  const rows = await db
    .selectFrom('line_rich_menu')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  const states = await richMenuSyncStates(db, workspaceId);
  return Promise.all(rows.map((row) => view(db, row, states)));
}
