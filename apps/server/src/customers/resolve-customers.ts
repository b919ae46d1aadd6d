import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import type { FieldProblem } from '../shared/domain-error.ts';
import type { CustomerRef } from './customer-schema.ts';
import { type Identity, identityKey, normaliseIdentities } from './identities.ts';
import { upsertCustomer } from './upsert-customer.ts';

/**
 * Resolves the customer references of a batch (orders or events) to live customer ids with as
 * few queries as possible: one lookup for all ids, one for all identities. References whose
 * identities are all known and point at one customer resolve there; the rest (new identities,
 * or identities spread over several customers) go through upsertCustomer, which creates or
 * merges. Returns one id per reference, or problems named `${base}[i].customer…`.
 *
 * The customers it created or merged (survivors and merged-away records) are published as
 * customers.changed with `publish`, in the caller's transaction: a new or merged customer may
 * enter or leave any segment, not only those that read the orders, visits or events being written.
 */
export async function resolveCustomerRefs(
  tx: Transaction<DB>,
  workspaceId: string,
  refs: CustomerRef[],
  base: (index: number) => string,
  publish?: Publish,
): Promise<{ ids: (number | undefined)[]; problems: FieldProblem[] }> {
  const problems: FieldProblem[] = [];
  const newOrMerged = new Set<number>();
  const ids: (number | undefined)[] = new Array(refs.length).fill(undefined);
  const byId = new Map<number, number[]>();
  const byIdentity: { index: number; identities: Identity[] }[] = [];
  refs.forEach((ref, index) => {
    if (ref.id !== undefined) {
      byId.set(ref.id, [...(byId.get(ref.id) ?? []), index]);
      return;
    }
    const normalised = normaliseIdentities(ref, base(index));
    problems.push(...normalised.problems.map((p) => ({ ...p, index })));
    if (!normalised.identities.length && !normalised.problems.length) {
      problems.push({
        index,
        path: base(index),
        message: 'needs id or at least one identity: lineUserId, email, phone or external',
      });
    }
    if (normalised.identities.length) byIdentity.push({ index, identities: normalised.identities });
  });

  if (byId.size) {
    // A merged-away id resolves to its survivor (one hop covers every merge Kizuna makes, since
    // merges always re-point to the live survivor).
    const { rows } = await sql<{ id: number; live: number }>`
      select id, coalesce(merged_into_id, id) as live from customer
      where workspace_id = ${workspaceId} and id = any(${[...byId.keys()]}::bigint[])`.execute(tx);
    const live = new Map(rows.map((r) => [r.id, r.live]));
    for (const [id, indexes] of byId) {
      for (const index of indexes) {
        const found = live.get(id);
        if (found === undefined)
          problems.push({ index, path: `${base(index)}.id`, message: `no customer ${id} in this workspace` });
        ids[index] = found;
      }
    }
  }

  if (byIdentity.length) {
    const unique = new Map<string, Identity>();
    for (const { identities } of byIdentity)
      for (const identity of identities) unique.set(identityKey(identity), identity);
    const list = [...unique.values()];
    const { rows } = await sql<{ kind: string; namespace: string; value: string; customer_id: number }>`
      select kind, namespace, value, customer_id from customer_identity
      where workspace_id = ${workspaceId}
        and (kind, namespace, value) in (
          select * from unnest(${list.map((i) => i.kind)}::text[], ${list.map((i) => i.namespace)}::text[], ${list.map((i) => i.value)}::text[]))`.execute(
      tx,
    );
    const owner = new Map(rows.map((r) => [`${r.kind}\u0000${r.namespace}\u0000${r.value}`, r.customer_id]));
    for (const { index, identities } of byIdentity) {
      const owners = new Set(identities.map((identity) => owner.get(identityKey(identity))));
      if (owners.size === 1 && !owners.has(undefined)) {
        ids[index] = [...owners][0];
        continue;
      }
      if (problems.length) continue;
      const { id: _unused, ...identityFields } = refs[index]!;
      const outcome = await upsertCustomer(tx, workspaceId, identityFields, {
        base: base(index),
        source: 'reference',
      });
      ids[index] = outcome.id;
      if (outcome.created || outcome.mergedIds.length) newOrMerged.add(outcome.id);
      for (const merged of outcome.mergedIds) newOrMerged.add(merged);
      // Later references in the batch see the new or merged owner.
      for (const identity of identities) owner.set(identityKey(identity), outcome.id);
      for (const merged of outcome.mergedIds)
        for (const [key, value] of owner) if (value === merged) owner.set(key, outcome.id);
    }
  }
  if (publish && newOrMerged.size)
    await publish(tx, 'customers.changed', { workspaceId, customerIds: [...newOrMerged] });
  return { ids, problems };
}
