import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { RetryableConflict } from '../db/transact.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { recordConsent } from './consent.ts';
import type { CustomerInput } from './customer-schema.ts';
import { type Identity, normaliseIdentities } from './identities.ts';
import { mergeCustomers } from './merge-customers.ts';

export interface UpsertOutcome {
  id: number;
  created: boolean;
  mergedIds: number[];
}

/** Live customers (not merged away) holding any of the identities, lowest id first. */
export async function findByIdentities(
  tx: Kysely<DB>,
  workspaceId: string,
  identities: Identity[],
): Promise<number[]> {
  if (!identities.length) return [];
  const { rows } = await sql<{ customer_id: number }>`
    select distinct customer_id from customer_identity
    where workspace_id = ${workspaceId}
      and (kind, namespace, value) in (
        select * from unnest(${identities.map((i) => i.kind)}::text[], ${identities.map((i) => i.namespace)}::text[], ${identities.map((i) => i.value)}::text[]))
    order by customer_id`.execute(tx);
  return rows.map((r) => r.customer_id);
}

/** Attaches identities to a customer; identities it already holds are left as they are. */
export async function attachIdentities(
  tx: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  identities: Identity[],
): Promise<void> {
  if (!identities.length) return;
  await tx
    .insertInto('customer_identity')
    .values(identities.map((i) => ({ workspace_id: workspaceId, customer_id: customerId, ...i })))
    .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'namespace', 'value']).doNothing())
    .execute();
}

/**
 * Two transactions that create a customer for the same new identity at once both insert a
 * customer; the identity goes to whichever commits first and the other's insert does nothing.
 * That loser must not commit a customer without its identity: it raises RetryableConflict, and
 * the retry finds the winner's customer.
 */
export async function assertIdentitiesHeld(
  tx: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  identities: Identity[],
): Promise<void> {
  const holders = await findByIdentities(tx, workspaceId, identities);
  if (holders.some((holder) => holder !== customerId))
    throw new RetryableConflict('an identity was claimed concurrently');
}

/** Validates an input's identities and store reference; throws `invalid` with paths under `base`. */
export async function prepareCustomer(
  tx: Kysely<DB>,
  workspaceId: string,
  input: CustomerInput,
  base: string,
  index?: number,
): Promise<{ identities: Identity[]; favoriteStoreId: number | null | undefined; problems: FieldProblem[] }> {
  const normalised = normaliseIdentities(input, base);
  const { identities } = normalised;
  const problems: FieldProblem[] = normalised.problems;
  if (!identities.length && !problems.length) {
    problems.push({
      path: base || '(body)',
      message: 'needs at least one identity: lineUserId, email, phone or external',
    });
  }
  let favoriteStoreId: number | null | undefined;
  if (input.favoriteStoreCode === null) favoriteStoreId = null;
  else if (input.favoriteStoreCode !== undefined) {
    const store = await tx
      .selectFrom('store')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('code', '=', input.favoriteStoreCode)
      .executeTakeFirst();
    if (store) favoriteStoreId = store.id;
    else
      problems.push({
        path: `${base ? `${base}.` : ''}favoriteStoreCode`,
        message: `no store with code "${input.favoriteStoreCode}"`,
      });
  }
  return {
    identities,
    favoriteStoreId,
    problems: index === undefined ? problems : problems.map((p) => ({ ...p, index })),
  };
}

function profilePatch(
  input: CustomerInput,
  favoriteStoreId: number | null | undefined,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const put = (column: string, value: unknown) => {
    if (value !== undefined) patch[column] = value;
  };
  put('family_name', input.familyName);
  put('given_name', input.givenName);
  put('family_name_kana', input.familyNameKana?.normalize('NFKC') ?? input.familyNameKana);
  put('given_name_kana', input.givenNameKana?.normalize('NFKC') ?? input.givenNameKana);
  put('birthday', input.birthday);
  put('gender', input.gender);
  put('prefecture', input.prefecture);
  put('postal_code', input.postalCode);
  put('favorite_store_id', favoriteStoreId);
  put('interests', input.interests);
  put('registered_at', input.registeredAt);
  put('acquisition_source', input.acquisitionSource);
  put('tags', input.tags ? [...new Set(input.tags)] : undefined);
  return patch;
}

/**
 * Creates or updates the customer that holds any of the input's identities. When the identities
 * belong to several customers they are merged first (see mergeCustomers). Runs inside the
 * caller's transaction.
 */
export async function upsertCustomer(
  tx: Kysely<DB>,
  workspaceId: string,
  input: CustomerInput,
  options: { base?: string; source?: string; index?: number } = {},
): Promise<UpsertOutcome> {
  const base = options.base ?? '';
  const { identities, favoriteStoreId, problems } = await prepareCustomer(
    tx,
    workspaceId,
    input,
    base,
    options.index,
  );
  if (problems.length) throw invalid(problems);
  const found = await findByIdentities(tx, workspaceId, identities);
  const patch = profilePatch(input, favoriteStoreId);
  let id: number;
  let created = false;
  let mergedIds: number[] = [];
  if (!found.length) {
    const row = await tx
      .insertInto('customer')
      .values({ workspace_id: workspaceId, ...patch, attributes: JSON.stringify(input.attributes ?? {}) })
      .returning('id')
      .executeTakeFirstOrThrow();
    id = row.id;
    created = true;
  } else {
    ({ survivorId: id, mergedIds } = await mergeCustomers(tx, workspaceId, found, {
      identities,
      source: options.source ?? 'upsert',
    }));
    const attributes = input.attributes
      ? sql<Record<string, unknown>>`attributes || ${JSON.stringify(input.attributes)}::jsonb`
      : undefined;
    await tx
      .updateTable('customer')
      .set({ ...patch, ...(attributes ? { attributes } : {}), updated_at: new Date() })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }
  await attachIdentities(tx, workspaceId, id, identities);
  await assertIdentitiesHeld(tx, workspaceId, id, identities);
  for (const consent of input.consents ?? []) {
    const { occurredAt, ...change } = consent;
    await recordConsent(tx, workspaceId, id, {
      ...change,
      ...(occurredAt ? { occurredAt: new Date(occurredAt) } : {}),
    });
  }
  return { id, created, mergedIds };
}
