// The staging table of a customers import: one row per valid CSV row, loaded with COPY while the
// file is read once. It is a temp table dropped at commit, private to the import's connection, so
// a failed or refused import leaves nothing anywhere.
import { sql, type Transaction } from 'kysely';
import type { CustomerInput } from '../customers/customer-schema.ts';
import { type Identity, identityKey } from '../customers/identities.ts';
import { copyField } from '../db/bulk-transaction.ts';
import type { DB } from '../db/schema.ts';

export const STAGE_TABLE = 'import_customer_row';
export const STAGE_COLUMNS = ['line', 'input', 'identities', 'favorite_store_id'] as const;

/**
 * `input` is the row's CustomerInput as the API takes it (kana already NFKC, tags without
 * repeats: what upsertCustomer would store); `identities` its normalised identities as
 * [kind, namespace, value] triples, each once.
 */
export async function createCustomerStage(tx: Transaction<DB>): Promise<void> {
  // The plan's sorts and hashes cover a whole segment; the default 4 MB spills them to disk.
  // SET LOCAL ends with the transaction.
  await sql`set local work_mem = '64MB'`.execute(tx);
  await sql`create temp table import_customer_row (
    line integer not null,
    input jsonb not null,
    identities jsonb not null,
    favorite_store_id bigint
  ) on commit drop`.execute(tx);
}

/** The row's values in the form stored customers are compared with (customerColumns's). */
function stagedInput(input: CustomerInput): CustomerInput {
  const staged = { ...input };
  if (typeof input.familyNameKana === 'string')
    staged.familyNameKana = input.familyNameKana.normalize('NFKC');
  if (typeof input.givenNameKana === 'string') staged.givenNameKana = input.givenNameKana.normalize('NFKC');
  if (input.tags) staged.tags = [...new Set(input.tags)];
  return staged;
}

/** One row of COPY text for the staging table. */
export function stageLine(
  line: number,
  input: CustomerInput,
  identities: Identity[],
  favoriteStoreId: number | undefined,
): string {
  const seen = new Set<string>();
  const triples: [string, string, string][] = [];
  for (const identity of identities) {
    const key = identityKey(identity);
    if (seen.has(key)) continue;
    seen.add(key);
    triples.push([identity.kind, identity.namespace, identity.value]);
  }
  return `${line}\t${copyField(JSON.stringify(stagedInput(input)))}\t${copyField(JSON.stringify(triples))}\t${copyField(favoriteStoreId)}\n`;
}
