import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid, notFound } from '../shared/domain-error.ts';
import { customerSearchSources } from './customer-data.ts';
import type { Customer } from './customer-schema.ts';
import { getCustomer } from './get-customer.ts';
import { normaliseIdentities } from './identities.ts';
import { exactRange, searchTextProblems } from './search-key.ts';
import { findByIdentities } from './upsert-customer.ts';

export const LOOKUP_KINDS = ['line', 'email', 'phone', 'external', 'member'] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

export interface CustomerLookup {
  kind: LookupKind;
  value: string;
  /** For `external`: the system that issued the id (member_no, shopify, ...). */
  namespace?: string;
}

/**
 * The customer holding one identity, normalised as an upsert would store it (an email in any
 * case, a phone in any format), or a loyalty member number; not_found when no live customer
 * holds it. Bad values are `invalid`, named `value` or `namespace`.
 *
 * @example
 * await lookupCustomer(db, workspaceId, { kind: 'phone', value: '090-1234-5678' });
 */
export async function lookupCustomer(
  db: Kysely<DB>,
  workspaceId: string,
  lookup: CustomerLookup,
): Promise<Customer> {
  const problems = searchTextProblems(lookup.value, 'value');
  if (problems.length) throw invalid(problems);
  const id =
    lookup.kind === 'member'
      ? await byMemberNumber(db, workspaceId, lookup.value)
      : await byIdentity(db, workspaceId, lookup);
  if (id === undefined) throw notFound(`customer with ${lookup.kind} identity`);
  return getCustomer(db, workspaceId, id);
}

async function byIdentity(
  db: Kysely<DB>,
  workspaceId: string,
  lookup: CustomerLookup,
): Promise<number | undefined> {
  const { kind, value } = lookup;
  if (kind === 'external' && lookup.namespace === undefined)
    throw invalid([{ path: 'namespace', message: 'is required when kind is external (e.g. member_no)' }]);
  const input =
    kind === 'line'
      ? { lineUserId: value }
      : kind === 'email'
        ? { email: value }
        : kind === 'phone'
          ? { phone: value }
          : { external: [{ namespace: lookup.namespace ?? '', value }] };
  const { identities, problems } = normaliseIdentities(input, '');
  // normaliseIdentities names the body's fields (lineUserId, external[0].namespace); here they
  // are the query's value and namespace.
  if (problems.length)
    throw invalid(
      problems.map((p) => ({
        path: p.path.endsWith('namespace') ? 'namespace' : 'value',
        message: p.message,
      })),
    );
  const [id] = await findByIdentities(db, workspaceId, identities);
  return id;
}

async function byMemberNumber(
  db: Kysely<DB>,
  workspaceId: string,
  value: string,
): Promise<number | undefined> {
  const source = (await customerSearchSources()).find((s) => s.kind === 'member');
  if (!source) throw new Error('lookupCustomer: no capability declares the member search source');
  const row = await source.select(workspaceId, exactRange(value.normalize('NFKC').trim())).execute(db);
  const id = row.rows[0]?.customer_id;
  return id === undefined ? undefined : Number(id);
}
