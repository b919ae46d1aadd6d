import { type RawBuilder, sql } from 'kysely';
import type { KeyRange } from '../customers/search-key.ts';
import type { CustomerSearchSource } from '../customers/search-source.ts';

/**
 * Customer search by loyalty member number: a range over loyalty_member_search_idx (migration
 * 0016), which is collated "C" so that a prefix of the number is a byte range.
 */
export const memberNumberSearch: CustomerSearchSource = {
  kind: 'member',
  folding: 'text',
  select: (workspaceId: string, range: KeyRange): RawBuilder<{ customer_id: number }> => sql`
    select customer_id from loyalty_member
    where workspace_id = ${workspaceId}
      and member_no collate "C" >= ${range.from} and member_no collate "C" < ${range.below}`,
};
