// What merging two customers would leave, computed by the rules the merge itself applies
// (planMergedProfile, the capabilities' declared table rules and their own preview steps), with
// nothing written.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import { customerDataOwners, type MergePreviewFigure, type MergeRule } from './customer-data.ts';
import type { Customer } from './customer-schema.ts';
import { getCustomer } from './get-customer.ts';
import { type MERGED_PROFILE_COLUMNS, planMergedProfile } from './merge-plan.ts';

export interface MergePreview {
  survivorId: number;
  mergedId: number;
  customers: Customer[];
  survivor: {
    familyName: string | null;
    givenName: string | null;
    familyNameKana: string | null;
    givenNameKana: string | null;
    birthday: string | null;
    gender: string | null;
    prefecture: string | null;
    postalCode: string | null;
    acquisitionSource: string | null;
    tags: string[];
    interests: string[];
    registeredAt: string;
    identities: Customer['identities'];
  };
  /** Which customer each profile field's value comes from. */
  sources: { field: string; customerId: number }[];
  tables: {
    table: string;
    owner: string;
    onMerge: MergeRule;
    counts: { customerId: number; rows: number }[];
  }[];
  figures: MergePreviewFigure[];
}

const CAMEL: Record<(typeof MERGED_PROFILE_COLUMNS)[number], string> = {
  family_name: 'familyName',
  given_name: 'givenName',
  family_name_kana: 'familyNameKana',
  given_name_kana: 'givenNameKana',
  birthday: 'birthday',
  gender: 'gender',
  prefecture: 'prefecture',
  postal_code: 'postalCode',
  favorite_store_id: 'favoriteStoreId',
  acquisition_source: 'acquisitionSource',
};

/** Both customers must be live (not merged away), distinct, and in the workspace. */
export async function liveMergePair(db: Kysely<DB>, workspaceId: string, id: number, duplicateId: number) {
  if (id === duplicateId)
    throw new DomainError('invalid', 'duplicateId: is the customer itself', [
      { path: 'duplicateId', message: 'is the customer itself' },
    ]);
  const rows = await db
    .selectFrom('customer')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', 'in', [id, duplicateId])
    .orderBy('id')
    // Inside the merge's transaction, hold both records until it commits (see mergeCustomers).
    .$if(db.isTransaction, (q) => q.forNoKeyUpdate())
    .execute();
  for (const [wanted, field] of [
    [id, 'id'],
    [duplicateId, 'duplicateId'],
  ] as const) {
    const row = rows.find((r) => r.id === wanted);
    if (!row) throw notFound(`customer ${wanted}`);
    if (row.merged_into_id !== null)
      throw new DomainError(
        'conflict',
        `${field}: customer ${wanted} was already merged into ${row.merged_into_id}`,
        [{ path: field, message: `already merged into customer ${row.merged_into_id}` }],
        { reason: 'customer_merged' },
      );
  }
  return rows;
}

export async function previewMerge(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  duplicateId: number,
): Promise<MergePreview> {
  const rows = await liveMergePair(db, workspaceId, id, duplicateId);
  const [survivorId, mergedId] = [rows[0]!.id, rows[1]!.id];
  const plan = planMergedProfile(rows);
  const customers = await Promise.all(rows.map((r) => getCustomer(db, workspaceId, r.id)));
  const kept = { ...rows[0]!, ...plan.patch };
  const owners = customerDataOwners();
  const tables: MergePreview['tables'] = [];
  for (const owner of owners)
    for (const { table, onMerge } of owner.customerData ?? []) {
      // The table names come from the descriptors, not from input; sql.table quotes them.
      const { rows: counted } = await sql<{ customer_id: number; n: number }>`
        select customer_id, count(*)::int as n from ${sql.table(table)}
        where workspace_id = ${workspaceId} and customer_id in (${survivorId}, ${mergedId})
        group by customer_id`.execute(db);
      const counts = [survivorId, mergedId].map((customerId) => ({
        customerId,
        rows: counted.find((c) => Number(c.customer_id) === customerId)?.n ?? 0,
      }));
      tables.push({ table, owner: owner.name, onMerge, counts });
    }
  const figures = (
    await Promise.all(owners.map((o) => o.mergePreview?.(db, workspaceId, survivorId, [mergedId]) ?? []))
  ).flat();
  const identities = [...customers[0]!.identities, ...customers[1]!.identities];
  return {
    survivorId,
    mergedId,
    customers,
    survivor: {
      familyName: kept.family_name,
      givenName: kept.given_name,
      familyNameKana: kept.family_name_kana,
      givenNameKana: kept.given_name_kana,
      birthday: kept.birthday,
      gender: kept.gender,
      prefecture: kept.prefecture,
      postalCode: kept.postal_code,
      acquisitionSource: kept.acquisition_source,
      tags: plan.tags,
      interests: plan.interests,
      registeredAt: plan.registeredAt.toISOString(),
      identities,
    },
    sources: Object.entries(plan.sources).map(([column, customerId]) => ({
      field: CAMEL[column as keyof typeof CAMEL],
      customerId,
    })),
    tables,
    figures,
  };
}
