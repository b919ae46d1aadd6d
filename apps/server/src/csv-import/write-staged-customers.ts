// Writes a planned customers import (plan-staged-customers.ts): the fresh rows in bulk, a few
// statements for the whole file, then the serial rows through upsertCustomerBatch in file order.
// Everything runs in the import's one transaction; customers.changed is published in it for
// every customer created, changed or merged, 1,000 ids a message.
import { sql, type Transaction } from 'kysely';
import type { CustomerInput } from '../customers/customer-schema.ts';
import type { DB } from '../db/schema.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { planStagedCustomers } from './plan-staged-customers.ts';
import type { RowOutcome } from './upsert-customer-batch.ts';
import { upsertCustomerBatch } from './upsert-customer-batch.ts';

/** Ids per customers.changed message, and serial rows per upsertCustomerBatch call. */
const PAGE = 1000;

export interface StagedWrite {
  workspaceId: string;
  stores: ReadonlyMap<string, number>;
  publish?: Publish | undefined;
  /** Business time: the registration and consent date of rows that give none. */
  now: Date;
}

export type SegmentCounts = Record<RowOutcome, number>;

export function addCounts(into: SegmentCounts, more: SegmentCounts): void {
  into.created += more.created;
  into.updated += more.updated;
  into.unchanged += more.unchanged;
}

/**
 * Writes the staged segment (`index` counts from 0) and empties the stage for the next one.
 */
export async function writeSegment(
  tx: Transaction<DB>,
  write: StagedWrite,
  index: number,
): Promise<SegmentCounts> {
  // The customer tables grow inside this one transaction, so their statistics still describe
  // them as they were before it: the identity lookups would be planned for a small table.
  // ANALYZE inside the transaction counts its own rows; run it as the data doubles.
  if (index > 0 && (index & (index - 1)) === 0)
    await sql`analyze customer, customer_identity, customer_consent`.execute(tx);
  const planned = await planStagedCustomers(tx, write.workspaceId);
  const created = await insertFreshCustomers(tx, write);
  const serial = await writeSerialCustomers(tx, write);
  await sql`drop table import_identity, import_owner, import_plan, import_new`.execute(tx);
  await sql`truncate import_customer_row`.execute(tx);
  return {
    created: created + serial.created,
    updated: serial.updated,
    unchanged: planned.unchanged + serial.unchanged,
  };
}

/** Inserts the fresh rows' customers, identities and consents; returns how many. */
export async function insertFreshCustomers(tx: Transaction<DB>, write: StagedWrite): Promise<number> {
  const ws = write.workspaceId;
  // Ids are drawn first so that identities and consents can name their customer without
  // matching inserted rows back to lines (INSERT … SELECT … RETURNING cannot return the line).
  // Drawn in file order, so customers are numbered as the file lists them (as the API would).
  await sql`create temp table import_new on commit drop as
    select line, nextval(pg_get_serial_sequence('customer', 'id')) as id
    from (select line from import_plan where plan = 'fresh' order by line) fresh`.execute(tx);
  const inserted = await sql`insert into customer (workspace_id, id, family_name, given_name,
      family_name_kana, given_name_kana, birthday, gender, prefecture, postal_code, favorite_store_id,
      interests, registered_at, acquisition_source, tags, attributes)
    overriding system value
    select ${ws}, n.id, v->>'familyName', v->>'givenName', v->>'familyNameKana', v->>'givenNameKana',
      (v->>'birthday')::date, v->>'gender', v->>'prefecture', v->>'postalCode', r.favorite_store_id,
      array(select jsonb_array_elements_text(v->'interests')),
      coalesce((v->>'registeredAt')::timestamptz, ${write.now}), v->>'acquisitionSource',
      array(select jsonb_array_elements_text(v->'tags')), coalesce(v->'attributes', '{}')
    from import_new n join import_customer_row r on r.line = n.line,
      lateral (select r.input as v) i
    order by n.id`.execute(tx);
  await sql`insert into customer_identity (workspace_id, customer_id, kind, namespace, value)
    select ${ws}, n.id, i.kind, i.namespace, i.value
    from import_new n join import_identity i on i.line = n.line`.execute(tx);
  await sql`with given as (
      select n.id, k->>'channel' as channel, k->>'purpose' as purpose, k->>'status' as status,
        k->>'source' as source, coalesce((k->>'occurredAt')::timestamptz, ${write.now}) as occurred_at
      from import_new n join import_customer_row r on r.line = n.line
      cross join lateral jsonb_array_elements(r.input->'consents') k
    ), history as (
      insert into consent_event (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
      select ${ws}, id, channel, purpose, status, source, occurred_at from given
    )
    insert into customer_consent (workspace_id, customer_id, channel, purpose, status, source, occurred_at)
    select ${ws}, id, channel, purpose, status, source, occurred_at from given`.execute(tx);
  const count = Number(inserted.numAffectedRows ?? 0);
  if (write.publish && count) await publishFresh(tx, write);
  return count;
}

async function publishFresh(tx: Transaction<DB>, write: StagedWrite): Promise<void> {
  for (let after = -1; ; ) {
    const { rows } = await sql<{ line: number; id: number }>`select line, id from import_new
      where line > ${after} order by line limit ${PAGE}`.execute(tx);
    if (!rows.length) return;
    after = rows[rows.length - 1]!.line;
    await write.publish?.(tx, 'customers.changed', {
      workspaceId: write.workspaceId,
      customerIds: rows.map((r) => r.id),
    });
  }
}

/** Writes the serial rows one page at a time, in file order; returns their outcomes' counts. */
export async function writeSerialCustomers(
  tx: Transaction<DB>,
  write: StagedWrite,
): Promise<Record<RowOutcome, number>> {
  const counts: Record<RowOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  for (let after = -1; ; ) {
    const { rows } = await sql<{ line: number; input: CustomerInput }>`
      select r.line, r.input from import_plan p join import_customer_row r on r.line = p.line
      where p.plan in ('serial', 'held') and p.line > ${after}
      order by p.line limit ${PAGE}`.execute(tx);
    if (!rows.length) return counts;
    after = rows[rows.length - 1]!.line;
    const results = await upsertCustomerBatch(
      tx,
      write.workspaceId,
      rows.map((r) => r.input),
      write.stores,
    );
    for (const result of results) counts[result.outcome]++;
    const customerIds = [
      ...new Set(results.flatMap((r) => (r.outcome !== 'unchanged' ? [r.id, ...(r.mergedIds ?? [])] : []))),
    ];
    if (write.publish && customerIds.length)
      await write.publish(tx, 'customers.changed', { workspaceId: write.workspaceId, customerIds });
  }
}
