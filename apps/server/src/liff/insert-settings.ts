// The workspace's insert QR settings: which coupon template a claim grants (none: link only).
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';

export interface InsertSettings {
  couponTemplateId: number | null;
}

export async function loadInsertSettings(db: Kysely<DB>, workspaceId: string): Promise<InsertSettings> {
  const { rows } = await sql<{ coupon_template_id: number | null }>`select coupon_template_id
    from liff_insert_setting where workspace_id = ${workspaceId}`.execute(db);
  const id = rows[0]?.coupon_template_id;
  return { couponTemplateId: id === null || id === undefined ? null : Number(id) };
}

export async function saveInsertSettings(
  db: Kysely<DB>,
  workspaceId: string,
  input: InsertSettings,
  now: Date,
): Promise<InsertSettings> {
  if (input.couponTemplateId !== null) {
    const { rows } = await sql`select 1 from coupon_template
      where workspace_id = ${workspaceId} and id = ${input.couponTemplateId}`.execute(db);
    if (!rows.length)
      throw invalid([
        {
          path: 'couponTemplateId',
          message: `no coupon template ${input.couponTemplateId} in this workspace`,
        },
      ]);
  }
  await sql`insert into liff_insert_setting (workspace_id, coupon_template_id, updated_at)
    values (${workspaceId}, ${input.couponTemplateId}, ${now})
    on conflict (workspace_id) do update set coupon_template_id = excluded.coupon_template_id,
      updated_at = excluded.updated_at`.execute(db);
  return input;
}
