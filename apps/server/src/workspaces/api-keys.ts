import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Scopes an API key (or a role) can carry. `read` reads customer data; `ingest` writes customers,
 * orders and events; `send` sends messages and runs campaigns; `till` is the shop counter's
 * loyalty work (scan a card, stamp, earn and redeem points and coupons); `admin` manages the
 * workspace (keys, users, channels, rules).
 */
export const API_KEY_SCOPES = ['read', 'ingest', 'send', 'till', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyPrincipal {
  workspaceId: string;
  keyId: number;
  scopes: ApiKeyScope[];
}

const hashSecret = (token: string) => createHash('sha256').update(token).digest('base64url');

// A key reads `kz_<workspace id without dashes>_<secret>`: the workspace travels in the key so
// the lookup is a primary-key probe within that workspace (and stays on one Citus shard).
const KEY_PATTERN = /^kz_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

function workspaceIdFromHex(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Creates an API key. The token is returned once; only its hash is stored. */
export async function createApiKey(
  db: Kysely<DB>,
  input: { workspaceId: string; name: string; scopes: ApiKeyScope[]; createdBy?: string },
): Promise<{ id: number; token: string }> {
  const token = `kz_${input.workspaceId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
  const row = await db
    .insertInto('api_key')
    .values({
      workspace_id: input.workspaceId,
      name: input.name,
      secret_hash: hashSecret(token),
      scopes: input.scopes,
      created_by: input.createdBy ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, token };
}

/** The workspace's API keys (never their secrets), oldest first, in the API's camelCase. */
export async function listApiKeys(db: Kysely<DB>, workspaceId: string) {
  const rows = await db
    .selectFrom('api_key')
    .select(['id', 'name', 'scopes', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    scopes: r.scopes,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
  }));
}

/** How stale an API key's `last_used_at` may get: it is written at most once a minute per key. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves a presented token to its workspace and scopes, or undefined (unknown or revoked). A use
 * is recorded as the key's `last_used_at`, to the minute: the write happens only when the stored
 * time is older than that, so a busy integration costs one update a minute, not one a request.
 */
export async function authenticateApiKey(
  db: Kysely<DB>,
  token: string,
  now: Date = new Date(),
): Promise<ApiKeyPrincipal | undefined> {
  const match = KEY_PATTERN.exec(token);
  if (!match) return undefined;
  const workspaceId = workspaceIdFromHex(match[1]!);
  const row = await db
    .selectFrom('api_key')
    .select(['id', 'scopes', 'last_used_at'])
    .where('workspace_id', '=', workspaceId)
    .where('secret_hash', '=', hashSecret(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  if (!row.last_used_at || row.last_used_at < stale)
    await db
      .updateTable('api_key')
      .set({ last_used_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', row.id)
      // Another request may have written it meanwhile; the newer time stays.
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', stale)]))
      .execute();
  return { workspaceId, keyId: row.id, scopes: row.scopes as ApiKeyScope[] };
}

export async function revokeApiKey(db: Kysely<DB>, workspaceId: string, keyId: number): Promise<boolean> {
  const result = await db
    .updateTable('api_key')
    .set({ revoked_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', keyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
