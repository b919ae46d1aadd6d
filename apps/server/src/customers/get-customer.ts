import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import type { Customer } from './customer-schema.ts';

/**
 * Follows merges: a customer id that was merged away answers with its survivor, so ids that
 * clients stored before a merge keep working. Undefined when the id is not in this workspace.
 */
export async function liveCustomerId(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
): Promise<number | undefined> {
  let current = id;
  for (let hops = 0; hops < 20; hops++) {
    const row = await db
      .selectFrom('customer')
      .select(['id', 'merged_into_id'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', current)
      .executeTakeFirst();
    if (!row) return undefined;
    if (row.merged_into_id === null) return row.id;
    current = row.merged_into_id;
  }
  throw new Error(`customer ${id}: merge chain longer than 20`);
}

/**
 * A listing's customer filter as the customer it now means: an id merged away means its
 * survivor, no filter stays none, and a customer not in the workspace is a 404.
 */
export async function customerFilter(
  db: Kysely<DB>,
  workspaceId: string,
  id: number | undefined,
): Promise<number | undefined> {
  if (id === undefined) return undefined;
  const live = await liveCustomerId(db, workspaceId, id);
  if (live === undefined) throw notFound(`customer ${id}`);
  return live;
}

export async function getCustomer(
  db: Kysely<DB>,
  workspaceId: string,
  requestedId: number,
): Promise<Customer> {
  const id = await liveCustomerId(db, workspaceId, requestedId);
  if (id === undefined) throw notFound(`customer ${requestedId}`);
  const [row, identities, consents] = await Promise.all([
    db
      .selectFrom('customer')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('customer_identity')
      .select(['kind', 'namespace', 'value'])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', id)
      .orderBy('kind')
      .orderBy('value')
      .execute(),
    db
      .selectFrom('customer_consent')
      .select(['channel', 'purpose', 'status', 'source', 'occurred_at'])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', id)
      .orderBy('channel')
      .orderBy('purpose')
      .execute(),
  ]);
  return {
    id: row.id,
    familyName: row.family_name,
    givenName: row.given_name,
    familyNameKana: row.family_name_kana,
    givenNameKana: row.given_name_kana,
    birthday: row.birthday,
    gender: row.gender,
    prefecture: row.prefecture,
    postalCode: row.postal_code,
    favoriteStoreId: row.favorite_store_id,
    interests: row.interests,
    registeredAt: row.registered_at.toISOString(),
    acquisitionSource: row.acquisition_source,
    attributes: row.attributes,
    tags: row.tags,
    identities,
    consents: consents.map(({ occurred_at, ...c }) => ({ ...c, occurredAt: occurred_at.toISOString() })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
