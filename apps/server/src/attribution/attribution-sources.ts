// Attribution sources: the places a friend-add comes from (a store poster, a receipt, a leaflet,
// Instagram, a campaign), each with a code carried in its tracked link or QR
// (`https://liff.line.me/{liffId}?src=CODE`). A customer's source is the first one recorded.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, notFound, pgErrorCode, UNIQUE_VIOLATION } from '../shared/domain-error.ts';

export const SOURCE_KINDS = ['poster', 'receipt', 'leaflet', 'instagram', 'campaign', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
/** A code is what travels in the URL: short, URL-safe, case-sensitive. */
export const SOURCE_CODE_PATTERN = '^[A-Za-z0-9_-]{1,40}$';
const CODE = new RegExp(SOURCE_CODE_PATTERN);

export interface SourceInput {
  code: string;
  name: string;
  kind: SourceKind;
}

export interface AttributionSource extends SourceInput {
  id: number;
  createdAt: string;
}

interface SourceRow {
  id: number;
  code: string;
  name: string;
  kind: SourceKind;
  created_at: Date;
}
const view = (r: SourceRow): AttributionSource => ({
  id: Number(r.id),
  code: r.code,
  name: r.name,
  kind: r.kind,
  createdAt: r.created_at.toISOString(),
});

export async function listSources(db: Kysely<DB>, workspaceId: string): Promise<AttributionSource[]> {
  const { rows } = await sql<SourceRow>`select id, code, name, kind, created_at from attribution_source
    where workspace_id = ${workspaceId} order by id`.execute(db);
  return rows.map(view);
}

export async function createSource(
  db: Kysely<DB>,
  workspaceId: string,
  input: SourceInput,
  now: Date,
): Promise<AttributionSource> {
  try {
    const { rows } =
      await sql<SourceRow>`insert into attribution_source (workspace_id, code, name, kind, created_at)
      values (${workspaceId}, ${input.code}, ${input.name}, ${input.kind}, ${now})
      returning id, code, name, kind, created_at`.execute(db);
    return view(rows[0]!);
  } catch (error) {
    if (pgErrorCode(error) !== UNIQUE_VIOLATION) throw error;
    throw new DomainError('conflict', `code: "${input.code}" is already used by another source`, [
      { path: 'code', message: 'already used by another source' },
    ]);
  }
}

export async function updateSource(
  db: Kysely<DB>,
  workspaceId: string,
  id: number,
  input: { name: string; kind: SourceKind },
): Promise<AttributionSource> {
  const { rows } =
    await sql<SourceRow>`update attribution_source set name = ${input.name}, kind = ${input.kind}
    where workspace_id = ${workspaceId} and id = ${id} returning id, code, name, kind, created_at`.execute(
      db,
    );
  if (!rows[0]) throw notFound(`attribution source ${id}`);
  return view(rows[0]);
}

/** Deleting a source deletes its customers' attributions (they count as unknown afterwards). */
export async function deleteSource(db: Kysely<DB>, workspaceId: string, id: number): Promise<void> {
  const { rows } = await sql`delete from attribution_source where workspace_id = ${workspaceId} and id = ${id}
    returning id`.execute(db);
  if (!rows.length) throw notFound(`attribution source ${id}`);
}

/**
 * Records that a customer came through the source with this code, unless the customer already
 * has a source (first touch wins: a later scan of another poster changes nothing). An unknown or
 * malformed code records nothing: a mistyped link must still open the app. Returns whether this
 * call recorded it.
 */
export async function recordAttribution(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  code: string,
  at: Date,
): Promise<boolean> {
  if (!CODE.test(code)) return false;
  const { rows } =
    await sql`insert into customer_attribution (workspace_id, customer_id, source_id, attributed_at)
    select ${workspaceId}, ${customerId}, id, ${at} from attribution_source
    where workspace_id = ${workspaceId} and code = ${code}
    on conflict (workspace_id, customer_id) do nothing
    returning source_id`.execute(db);
  return rows.length > 0;
}

/** The tracked LIFF URL for a source of a LIFF app. */
export function sourceUrl(liffId: string, code: string): string {
  return `https://liff.line.me/${liffId}?src=${encodeURIComponent(code)}`;
}
