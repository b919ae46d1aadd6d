import { sql } from 'kysely';
import type { JobContext } from '../jobs/job-types.ts';
import { syncRichMenus } from './rich-menu-sync.ts';
import { reconcileRichMenuLinks } from './rich-menu-targets.ts';

/**
 * After follows and unfollows: a blocked user's managed row becomes `blocked` (LINE is not
 * called for them) and a user who followed again gets their segment's menu again (the link is
 * re-sent: whatever LINE kept across the block, it ends up with the intended menu). Errors are
 * logged, not thrown: the webhook events are processed either way, and the scheduled sync
 * picks up what is left pending.
 */
export async function followRichMenus(
  context: Pick<JobContext, 'database' | 'secrets' | 'logger' | 'lineHosts'>,
  workspaceId: string,
  channelId: string,
  lineUserIds: string[],
): Promise<void> {
  const db = context.database.db;
  try {
    const { rows } = await sql<{ customer_id: number }>`
      select customer_id from customer_identity
      where workspace_id = ${workspaceId} and kind = 'line' and value = any(${lineUserIds}::text[])`.execute(
      db,
    );
    const changed = await reconcileRichMenuLinks(db, workspaceId, channelId, {
      customerIds: rows.map((r) => Number(r.customer_id)),
    });
    if (changed) await syncRichMenus(context, workspaceId);
  } catch (error) {
    context.logger.error(
      { err: error, workspaceId, channelId },
      'rich menus not updated after follow/unfollow',
    );
  }
}
