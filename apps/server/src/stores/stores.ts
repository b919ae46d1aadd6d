import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export interface Store {
  id: number;
  code: string;
  name: string;
  prefecture: string | null;
}

export async function upsertStore(
  db: Kysely<DB>,
  workspaceId: string,
  input: { code: string; name: string; prefecture?: string | null },
): Promise<Store> {
  return db
    .insertInto('store')
    .values({
      workspace_id: workspaceId,
      code: input.code,
      name: input.name,
      prefecture: input.prefecture ?? null,
    })
    .onConflict((oc) =>
      oc
        .columns(['workspace_id', 'code'])
        .doUpdateSet({ name: input.name, prefecture: input.prefecture ?? null }),
    )
    .returning(['id', 'code', 'name', 'prefecture'])
    .executeTakeFirstOrThrow();
}

export async function listStores(db: Kysely<DB>, workspaceId: string): Promise<Store[]> {
  return db
    .selectFrom('store')
    .select(['id', 'code', 'name', 'prefecture'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('code')
    .execute();
}
