import { type RawBuilder, sql } from 'kysely';
import type { KeyRange } from '../customers/search-key.ts';
import type { CustomerSearchSource } from '../customers/search-source.ts';

/**
 * Customer search by LINE display name (as the friend's profile gave it, on any of the
 * workspace's channels): a range over line_friend_search_idx, the display name's search key
 * (migration 0016).
 */
export const friendNameSearch: CustomerSearchSource = {
  kind: 'line_name',
  folding: 'key',
  select: (workspaceId: string, range: KeyRange): RawBuilder<{ customer_id: number }> => sql`
    select customer_id from line_friend
    where workspace_id = ${workspaceId}
      and search_key(display_name) collate "C" >= ${range.from}
      and search_key(display_name) collate "C" < ${range.below}`,
};
