// How a capability lets customer search read a table it owns: it hands over a query that answers
// customer ids, so customers/ never names another capability's columns.
import type { RawBuilder } from 'kysely';
import type { KeyRange } from './search-key.ts';

/**
 * One field of another capability that `GET /v1/customers?q=` searches. `select` returns SQL
 * selecting `customer_id` of the workspace's rows whose value falls in the range; `folding` says
 * which form of the query the range is built from: the search key (names: kana folded, spaces
 * dropped) or the text as typed (codes such as a member number, NFKC and trimmed).
 *
 * @example
 * // loyalty/member-search.ts
 * select: (workspaceId, range) => sql`select customer_id from loyalty_member
 *   where workspace_id = ${workspaceId} and member_no collate "C" >= ${range.from} ...`
 */
export interface CustomerSearchSource {
  /** The lookup kind that finds a customer by this field exactly (`/v1/customers/lookup?kind=`). */
  kind: string;
  folding: 'key' | 'text';
  select(workspaceId: string, range: KeyRange): RawBuilder<{ customer_id: number }>;
}
