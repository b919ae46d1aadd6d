import { sql, type Transaction } from 'kysely';
import { applyStatsDeltas } from '../analytics/customer-stats.ts';
import { resolveCustomerRefs } from '../customers/resolve-customers.ts';
import type { DB } from '../db/schema.ts';
import { appendDomainEvents } from '../domain-events/append.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { type VisitInput, visitSpend } from './visit-schema.ts';

export type VisitOutcome = { id: number | null; externalId: string; outcome: 'stored' | 'duplicate' };

/**
 * Stores store visits by the client's visit id, with their menu items, staff and spend; a visit
 * seen before is reported as a duplicate (and left as it was, menu items included).
 */
export async function recordVisits(
  tx: Transaction<DB>,
  workspaceId: string,
  items: { index: number; item: VisitInput }[],
  publish?: Publish,
): Promise<(VisitOutcome & { index: number })[]> {
  const problems: FieldProblem[] = [];
  const { ids, problems: refProblems } = await resolveCustomerRefs(
    tx,
    workspaceId,
    items.map((i) => i.item.customer),
    (n) => `visits[${items[n]!.index}].customer`,
    publish,
  );
  problems.push(
    ...refProblems.map((p) => ({ ...p, index: p.index === undefined ? undefined : items[p.index]!.index })),
  );
  const codes = [...new Set(items.flatMap((i) => (i.item.storeCode ? [i.item.storeCode] : [])))];
  const stores = codes.length
    ? new Map(
        (
          await tx
            .selectFrom('store')
            .select(['id', 'code'])
            .where('workspace_id', '=', workspaceId)
            .where('code', 'in', codes)
            .execute()
        ).map((s) => [s.code, s.id]),
      )
    : new Map<string, number>();
  for (const { index, item } of items) {
    if (item.storeCode && !stores.has(item.storeCode)) {
      problems.push({
        index,
        path: `visits[${index}].storeCode`,
        message: `no store with code "${item.storeCode}"`,
      });
    }
  }
  if (problems.length) throw invalid(problems);
  const { rows } = await sql<{
    id: number;
    external_id: string;
    customer_id: number;
    store_id: number | null;
    visited_at: Date;
  }>`
    insert into visit (workspace_id, external_id, customer_id, store_id, visited_at, source, staff, spend,
      order_external_id)
    select ${workspaceId}::uuid, v.external_id, v.customer_id, v.store_id, v.visited_at, v.source, v.staff, v.spend,
      v.order_external_id
    from unnest(${items.map((i) => i.item.id)}::text[], ${ids}::bigint[], ${items.map((i) => (i.item.storeCode ? stores.get(i.item.storeCode)! : null))}::bigint[],
                ${items.map((i) => i.item.visitedAt)}::timestamptz[], ${items.map((i) => i.item.source ?? 'api')}::text[],
                ${items.map((i) => i.item.staff ?? null)}::text[], ${items.map((i) => visitSpend(i.item))}::bigint[],
                ${items.map((i) => i.item.orderId ?? null)}::text[])
      as v(external_id, customer_id, store_id, visited_at, source, staff, spend, order_external_id)
    on conflict (workspace_id, external_id) do nothing
    returning id, external_id, customer_id, store_id, visited_at`.execute(tx);
  await insertMenuItems(tx, workspaceId, rows, items);
  const stored = new Map(rows.map((r) => [r.external_id, r.id]));
  await applyStatsDeltas(
    tx,
    workspaceId,
    rows.map((r) => ({ customerId: Number(r.customer_id), visits: 1, visitedAt: r.visited_at })),
  );
  await appendDomainEvents(
    tx,
    workspaceId,
    rows.map((r) => ({
      type: 'visit.recorded' as const,
      customerId: Number(r.customer_id),
      occurredAt: r.visited_at,
      payload: { visitId: r.id, externalId: r.external_id, storeId: r.store_id },
    })),
  );
  if (publish && rows.length) {
    await publish(tx, 'visits.recorded', {
      workspaceId,
      customerIds: [...new Set(rows.map((r) => Number(r.customer_id)))],
    });
  }
  return items.map(({ index, item }) => {
    const id = stored.get(item.id);
    if (id === undefined) return { index, id: null, externalId: item.id, outcome: 'duplicate' as const };
    stored.delete(item.id);
    return { index, id, externalId: item.id, outcome: 'stored' as const };
  });
}

/** The menu items of the visits just stored (a duplicate's are not touched), in one statement. */
async function insertMenuItems(
  tx: Transaction<DB>,
  workspaceId: string,
  rows: readonly { id: number; external_id: string }[],
  items: readonly { item: VisitInput }[],
): Promise<void> {
  // The first item of an id is the one stored (the insert keeps the first and skips the rest).
  const byExternalId = new Map<string, VisitInput>();
  for (const { item } of items) if (!byExternalId.has(item.id)) byExternalId.set(item.id, item);
  const lines = rows.flatMap((r) =>
    (byExternalId.get(r.external_id)?.menuItems ?? []).map((m, n) => ({
      visitId: r.id,
      lineNo: n + 1,
      ...m,
    })),
  );
  if (!lines.length) return;
  const col = <T>(f: (l: (typeof lines)[number]) => T) => lines.map(f);
  await sql`insert into visit_menu_item (workspace_id, visit_id, line_no, name, code, category, price, quantity)
    select ${workspaceId}::uuid, m.* from unnest(${col((l) => l.visitId)}::bigint[], ${col((l) => l.lineNo)}::int[],
      ${col((l) => l.name)}::text[], ${col((l) => l.code ?? null)}::text[], ${col((l) => l.category ?? null)}::text[],
      ${col((l) => l.price ?? null)}::bigint[], ${col((l) => l.quantity ?? 1)}::int[])
      as m(visit_id, line_no, name, code, category, price, quantity)`.execute(tx);
}
