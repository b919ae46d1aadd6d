// Tags and custom attributes changed for many customers at once (a journey's action node):
// one statement each, merged-away records left alone.
import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/** Adds `tag` to each customer that lacks it. */
export async function addCustomerTag(
  tx: Transaction<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  tag: string,
  now: Date,
): Promise<void> {
  await sql`update customer set tags = array_append(tags, ${tag}::text), updated_at = ${now}
    where workspace_id = ${workspaceId} and id = any(${[...customerIds]}::bigint[])
      and merged_into_id is null and not (${tag}::text = any(tags))`.execute(tx);
}

/** Removes `tag` from each customer that has it. */
export async function removeCustomerTag(
  tx: Transaction<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  tag: string,
  now: Date,
): Promise<void> {
  await sql`update customer set tags = array_remove(tags, ${tag}::text), updated_at = ${now}
    where workspace_id = ${workspaceId} and id = any(${[...customerIds]}::bigint[])
      and merged_into_id is null and ${tag}::text = any(tags)`.execute(tx);
}

/** Sets the custom attribute `name` (null removes it). */
export async function setCustomerAttribute(
  tx: Transaction<DB>,
  workspaceId: string,
  customerIds: readonly number[],
  name: string,
  value: string | number | boolean | null,
  now: Date,
): Promise<void> {
  const attributes =
    value === null
      ? sql`attributes - ${name}::text`
      : sql`attributes || jsonb_build_object(${name}::text, ${JSON.stringify(value)}::jsonb)`;
  await sql`update customer set attributes = ${attributes}, updated_at = ${now}
    where workspace_id = ${workspaceId} and id = any(${[...customerIds]}::bigint[])
      and merged_into_id is null`.execute(tx);
}
