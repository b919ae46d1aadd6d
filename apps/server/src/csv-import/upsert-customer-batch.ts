// Upserts a batch of customers with a handful of statements instead of several per row, which is
// what lets a 1M-row file import in minutes. The common cases go in bulk: a row whose identities
// are all new is inserted, and a row whose identities all belong to one customer that already has
// the row's values is left alone ("unchanged"). Everything else (a real change, an identity to
// attach, two customers to merge, a row repeating an identity of an earlier row in the batch)
// goes through the API's own upsertCustomer one by one, so the merge rules live in one place.
import type { Transaction } from 'kysely';
import type { CustomerInput } from '../customers/customer-schema.ts';
import { type Identity, identityKey, normaliseIdentities } from '../customers/identities.ts';
import { upsertCustomer } from '../customers/upsert-customer.ts';
import type { DB } from '../db/schema.ts';
import { ownersOf, storedCustomers, unchanged } from './stored-customers.ts';

export type RowOutcome = 'created' | 'updated' | 'unchanged';

export interface CustomerBatchResult {
  id: number;
  outcome: RowOutcome;
  /** Customers merged into `id` by this row (now tombstones). */
  mergedIds?: number[];
}

/** The customer columns a row sets, as upsertCustomer would write them. */
export function customerColumns(input: CustomerInput, favoriteStoreId: number | undefined) {
  return {
    family_name: input.familyName,
    given_name: input.givenName,
    family_name_kana: input.familyNameKana?.normalize('NFKC'),
    given_name_kana: input.givenNameKana?.normalize('NFKC'),
    birthday: input.birthday,
    gender: input.gender,
    prefecture: input.prefecture,
    postal_code: input.postalCode,
    favorite_store_id: favoriteStoreId,
    interests: input.interests,
    registered_at: input.registeredAt,
    acquisition_source: input.acquisitionSource,
    tags: input.tags ? [...new Set(input.tags)] : undefined,
  };
}

interface Row {
  n: number;
  input: CustomerInput;
  identities: Identity[];
}

/**
 * Creates or updates each input's customer, in input order as far as anyone can observe.
 * `stores` maps store codes to ids (codes were checked before). Runs in the caller's transaction.
 */
export async function upsertCustomerBatch(
  tx: Transaction<DB>,
  workspaceId: string,
  inputs: CustomerInput[],
  stores: ReadonlyMap<string, number>,
  source = 'csv_import',
): Promise<CustomerBatchResult[]> {
  const results: (CustomerBatchResult | undefined)[] = new Array(inputs.length).fill(undefined);
  const bulk: Row[] = [];
  const oneByOne: Row[] = [];
  const seen = new Set<string>();
  inputs.forEach((input, n) => {
    const { identities } = normaliseIdentities(input, '');
    const keys = identities.map(identityKey);
    (keys.some((key) => seen.has(key)) ? oneByOne : bulk).push({ n, input, identities });
    for (const key of keys) seen.add(key);
  });
  const storeId = (input: CustomerInput) =>
    input.favoriteStoreCode ? stores.get(input.favoriteStoreCode) : undefined;

  const owners = await ownersOf(
    tx,
    workspaceId,
    bulk.flatMap((row) => row.identities),
  );
  const fresh: Row[] = [];
  const held: { row: Row; id: number }[] = [];
  for (const row of bulk) {
    const found = new Set(row.identities.map((identity) => owners.get(identityKey(identity))));
    if (found.size === 1 && found.has(undefined)) fresh.push(row);
    else if (found.size === 1) held.push({ row, id: [...found][0]! });
    else oneByOne.push(row);
  }
  const stored = await storedCustomers(
    tx,
    workspaceId,
    held.map((h) => h.id),
  );
  for (const { row, id } of held) {
    const customer = stored.get(id);
    if (customer && unchanged(customer, row.input, customerColumns(row.input, storeId(row.input))))
      results[row.n] = { id, outcome: 'unchanged' };
    else oneByOne.push(row);
  }
  for (const [n, id] of await insertCustomers(tx, workspaceId, fresh, storeId))
    results[n] = { id, outcome: 'created' };

  oneByOne.sort((a, b) => a.n - b.n);
  for (const row of oneByOne) {
    const same = await unchangedOne(tx, workspaceId, row, storeId(row.input));
    if (same !== undefined) {
      results[row.n] = { id: same, outcome: 'unchanged' };
      continue;
    }
    const outcome = await upsertCustomer(tx, workspaceId, row.input, { source });
    results[row.n] = {
      id: outcome.id,
      outcome: outcome.created ? 'created' : 'updated',
      ...(outcome.mergedIds.length ? { mergedIds: outcome.mergedIds } : {}),
    };
  }
  return results.map((result, n) => {
    if (!result) throw new Error(`customer batch: row ${n} was not written`);
    return result;
  });
}

/** The id of the one customer holding all the row's identities and values, if there is one. */
async function unchangedOne(
  tx: Transaction<DB>,
  workspaceId: string,
  row: Row,
  favoriteStoreId: number | undefined,
): Promise<number | undefined> {
  const held = await ownersOf(tx, workspaceId, row.identities);
  const owners = new Set(row.identities.map((identity) => held.get(identityKey(identity))));
  const id = owners.size === 1 ? [...owners][0] : undefined;
  if (id === undefined) return undefined;
  const customer = (await storedCustomers(tx, workspaceId, [id])).get(id);
  return customer && unchanged(customer, row.input, customerColumns(row.input, favoriteStoreId))
    ? id
    : undefined;
}

async function insertCustomers(
  tx: Transaction<DB>,
  workspaceId: string,
  rows: Row[],
  storeId: (input: CustomerInput) => number | undefined,
): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  if (!rows.length) return ids;
  const inserted = await tx
    .insertInto('customer')
    .values(
      rows.map((row) => ({
        workspace_id: workspaceId,
        ...customerColumns(row.input, storeId(row.input)),
        attributes: JSON.stringify(row.input.attributes ?? {}),
      })),
    )
    .returning('id')
    .execute();
  // PostgreSQL returns the rows of INSERT … VALUES … RETURNING in VALUES order (Django's
  // bulk_create relies on the same); the count check guards the one assumption we can check.
  if (inserted.length !== rows.length) throw new Error('customer insert returned a different number of rows');
  for (const [i, row] of rows.entries()) ids.set(row.n, inserted[i]!.id);
  const identities = rows.flatMap((row) =>
    row.identities.map((identity) => ({
      workspace_id: workspaceId,
      customer_id: ids.get(row.n)!,
      ...identity,
    })),
  );
  if (identities.length) await tx.insertInto('customer_identity').values(identities).execute();
  const now = new Date();
  const consents = rows.flatMap((row) =>
    (row.input.consents ?? []).map((c) => ({
      workspace_id: workspaceId,
      customer_id: ids.get(row.n)!,
      channel: c.channel,
      purpose: c.purpose,
      status: c.status,
      source: c.source,
      occurred_at: c.occurredAt ? new Date(c.occurredAt) : now,
    })),
  );
  if (consents.length) {
    await tx.insertInto('consent_event').values(consents).execute();
    await tx.insertInto('customer_consent').values(consents).execute();
  }
  return ids;
}
