// Writes one batch of valid units (about 1,000 rows) inside the import's transaction.
import type { Transaction } from 'kysely';
import { recordConsentWhereUnset } from '../customers/consent.ts';
import type { CustomerInput } from '../customers/customer-schema.ts';
import { identityKey, normaliseIdentities } from '../customers/identities.ts';
import { registerNoLaterThan } from '../customers/registered-at.ts';
import type { DB } from '../db/schema.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import type { OrderInput } from '../orders/order-schema.ts';
import { upsertOrders } from '../orders/upsert-orders.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { ImportedCustomer } from './order-formats.ts';
import { columnOfPath, type RowProblem } from './row-problem.ts';
import { type CustomerBatchResult, type RowOutcome, upsertCustomerBatch } from './upsert-customer-batch.ts';

/** Problems only the database can see (an unknown customer id, a refund that shrinks). */
export class BatchRejected extends Error {
  readonly problems: RowProblem[];
  constructor(problems: RowProblem[]) {
    super(`${problems.length} problems found while writing`);
    this.name = 'BatchRejected';
    this.problems = problems;
  }
}

export interface BatchContext {
  workspaceId: string;
  /** Tells subscribers (loyalty, segments) about the changes, inside the import's transaction. */
  publish?: Publish;
  stores: ReadonlyMap<string, number>;
  /** API path → CSV column, for problems the writer reports. */
  pathColumns: Readonly<Record<string, string>>;
  /**
   * Per customer (the key of their first identity), the newest order whose billing details were
   * written so far: an older order read later (Shopify lists newest first) leaves them alone.
   * One number per customer of the file.
   */
  profiledAt?: Map<string, number>;
}

export async function writeCustomerBatch(
  tx: Transaction<DB>,
  context: BatchContext,
  inputs: CustomerInput[],
): Promise<RowOutcome[]> {
  const results = await upsertCustomerBatch(tx, context.workspaceId, inputs, context.stores);
  await publishCustomers(tx, context, results, (r) => r.outcome !== 'unchanged');
  return results.map((r) => r.outcome);
}

/**
 * customers.changed for the rows `announce` picks, with the customers merged into them (their
 * merged-away records leave their segments too).
 */
async function publishCustomers(
  tx: Transaction<DB>,
  context: BatchContext,
  results: CustomerBatchResult[],
  announce: (result: CustomerBatchResult) => boolean,
): Promise<void> {
  const customerIds = [
    ...new Set(results.flatMap((r) => (announce(r) ? [r.id, ...(r.mergedIds ?? [])] : []))),
  ];
  if (context.publish && customerIds.length)
    await context.publish(tx, 'customers.changed', { workspaceId: context.workspaceId, customerIds });
}

/**
 * Whether the order is its customer's newest in the file so far (Shopify lists newest first):
 * the billing details and Accepts Marketing of an older order read later are left alone.
 */
function newestSoFar(input: OrderInput, profiledAt: Map<string, number> | undefined): boolean {
  if (!profiledAt) return true;
  const { id: _id, ...identities } = input.customer;
  const key = normaliseIdentities(identities, '').identities.map(identityKey)[0];
  if (key === undefined) return true;
  const at = Date.parse(input.orderedAt);
  if (at < (profiledAt.get(key) ?? Number.NEGATIVE_INFINITY)) return false;
  profiledAt.set(key, at);
  return true;
}

/** The customer an order row names, with what the row says about them (Shopify's billing name, …). */
function customerOfOrder(
  input: OrderInput,
  details: ImportedCustomer | undefined,
  newest: boolean,
): CustomerInput {
  const { id: _id, ...identities } = input.customer;
  if (!details) return identities;
  const { attributes, ...billing } = details.profile;
  return {
    ...identities,
    // The newest order's billing name and address; note attributes of every order are kept.
    ...(newest ? billing : {}),
    ...(attributes ? { attributes } : {}),
    ...(details.lineUserId ? { lineUserId: details.lineUserId } : {}),
    // Yes is a consent given when the newest order was placed; "no" is recorded apart
    // (recordConsentWhereUnset).
    ...(newest && details.emailMarketing
      ? {
          consents: [
            {
              channel: 'email' as const,
              purpose: 'marketing' as const,
              status: 'granted' as const,
              source: details.consentSource,
              occurredAt: input.orderedAt,
            },
          ],
        }
      : {}),
  };
}

/**
 * Orders of a batch: their customers are resolved (and new ones created, with the details the
 * rows give) in bulk first, then the orders go through the API's upsertOrders by customer id.
 * A customer's registered_at moves back to their earliest order in the file (README.md).
 */
export async function writeOrderBatch(
  tx: Transaction<DB>,
  context: BatchContext,
  units: { line: number; input: OrderInput; customer?: ImportedCustomer | undefined }[],
): Promise<{ outcomes: RowOutcome[]; customersCreated: number }> {
  const byIdentity = units.filter((u) => u.input.customer.id === undefined);
  const newest = new Set(byIdentity.filter((u) => u.customer && newestSoFar(u.input, context.profiledAt)));
  const customers = await upsertCustomerBatch(
    tx,
    context.workspaceId,
    byIdentity.map((u) => customerOfOrder(u.input, u.customer, newest.has(u))),
    context.stores,
  );
  const ids = new Map(byIdentity.map((u, i) => [u, customers[i]!.id]));
  const items = units.map((u, index) => ({
    index,
    item: { ...u.input, customer: { id: u.input.customer.id ?? ids.get(u)! } },
  }));
  const declined = byIdentity.flatMap((u) =>
    u.customer?.emailMarketing === false && newest.has(u)
      ? [
          {
            customerId: ids.get(u)!,
            occurredAt: new Date(u.input.orderedAt),
            source: u.customer.consentSource,
          },
        ]
      : [],
  );
  const sources = [...new Set(declined.map((d) => d.source))];
  const consented = new Set<number>();
  for (const source of sources)
    for (const id of await recordConsentWhereUnset(
      tx,
      context.workspaceId,
      { channel: 'email', purpose: 'marketing', status: 'revoked', source },
      declined.filter((d) => d.source === source),
    ))
      consented.add(id);
  const registered = await registerNoLaterThan(
    tx,
    context.workspaceId,
    byIdentity.map((u) => ({ customerId: ids.get(u)!, at: new Date(u.input.orderedAt) })),
  );
  // New, merged and changed customers may enter segments that read no orders (orders.changed
  // covers those only); so may those whose consent or registered_at the import set.
  const moved = new Set([...consented, ...registered]);
  await publishCustomers(
    tx,
    context,
    [...customers, ...[...moved].map((id) => ({ id, outcome: 'updated' as const }))],
    (c) => c.outcome !== 'unchanged' || c.mergedIds !== undefined,
  );
  try {
    const results = await upsertOrders(tx, context.workspaceId, items, context.publish);
    const outcomes: RowOutcome[] = new Array(units.length).fill('unchanged');
    for (const r of results) outcomes[r.index] = r.outcome;
    return { outcomes, customersCreated: customers.filter((c) => c.outcome === 'created').length };
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'invalid') throw error;
    throw new BatchRejected(
      error.problems.map((p) => {
        const unit = p.index === undefined ? undefined : units[p.index];
        if (!unit) throw error;
        const path = p.path.replace(/^orders\[\d+\]\.?/, '');
        return { line: unit.line, column: columnOfPath(path, context.pathColumns), message: p.message };
      }),
    );
  }
}
