// Reads what is stored for the customers of a batch, to tell a re-imported row that changes
// nothing from one that does.
import { sql, type Transaction } from 'kysely';
import type { CustomerInput } from '../customers/customer-schema.ts';
import { type Identity, identityKey } from '../customers/identities.ts';
import type { DB } from '../db/schema.ts';

/** Who holds each identity: identityKey → live customer id. One query for the whole batch. */
export async function ownersOf(
  tx: Transaction<DB>,
  workspaceId: string,
  identities: Identity[],
): Promise<Map<string, number>> {
  const owners = new Map<string, number>();
  if (!identities.length) return owners;
  const { rows } = await sql<Identity & { customer_id: number }>`
    select kind, namespace, value, customer_id from customer_identity
    where workspace_id = ${workspaceId}
      and (kind, namespace, value) in (
        select * from unnest(${identities.map((i) => i.kind)}::text[], ${identities.map((i) => i.namespace)}::text[], ${identities.map((i) => i.value)}::text[]))`.execute(
    tx,
  );
  for (const row of rows) owners.set(identityKey(row), row.customer_id);
  return owners;
}

export interface StoredCustomer {
  row: Record<string, unknown> & { attributes: Record<string, unknown> };
  /** `channel:purpose` → current consent status. */
  consents: Map<string, string>;
}

export async function storedCustomers(
  tx: Transaction<DB>,
  workspaceId: string,
  ids: number[],
): Promise<Map<number, StoredCustomer>> {
  const out = new Map<number, StoredCustomer>();
  if (!ids.length) return out;
  const unique = [...new Set(ids)];
  const rows = await tx
    .selectFrom('customer')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', unique)
    .execute();
  for (const row of rows) out.set(row.id, { row, consents: new Map() });
  const consents = await tx
    .selectFrom('customer_consent')
    .select(['customer_id', 'channel', 'purpose', 'status'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', unique)
    .execute();
  for (const c of consents) out.get(c.customer_id)?.consents.set(`${c.channel}:${c.purpose}`, c.status);
  return out;
}

function same(stored: unknown, value: unknown): boolean {
  if (stored instanceof Date) return stored.getTime() === Date.parse(String(value));
  if (Array.isArray(stored) && Array.isArray(value))
    return stored.length === value.length && stored.every((item, i) => item === value[i]);
  return stored === value;
}

/** Whether writing `columns` (and the input's attributes and consents) would change nothing. */
export function unchanged(
  stored: StoredCustomer,
  input: CustomerInput,
  columns: Record<string, unknown>,
): boolean {
  if (stored.row.merged_into_id !== null) return false;
  for (const [column, value] of Object.entries(columns))
    if (value !== undefined && !same(stored.row[column], value)) return false;
  for (const [key, value] of Object.entries(input.attributes ?? {}))
    if (JSON.stringify(stored.row.attributes[key]) !== JSON.stringify(value)) return false;
  for (const consent of input.consents ?? [])
    if (stored.consents.get(`${consent.channel}:${consent.purpose}`) !== consent.status) return false;
  return true;
}
