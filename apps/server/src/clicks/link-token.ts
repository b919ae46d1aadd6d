// Signed redirect tokens: `/r/<payload>.<signature>`. The payload names the workspace, the
// tracked link (a URL that was in a sent message) and the customer; the signature is an HMAC-SHA256
// under the workspace's link key. The target URL is read from tracked_link, never from the
// request, so the redirect cannot send anyone to a URL Kizuna did not put in a message.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../shared/secret-box.ts';

/** 128 bits of HMAC: short enough for a LINE text, long enough that guessing is hopeless. */
const SIGNATURE_BYTES = 16;

export interface LinkTokenPayload {
  workspaceId: string;
  linkId: number;
  customerId: number;
}

/**
 * The workspace's link key (32 random bytes, sealed with the server's secret key), created on
 * first use; a concurrent first use keeps whichever insert won.
 */
export async function linkKey(db: Kysely<DB>, secrets: SecretBox, workspaceId: string): Promise<Buffer> {
  await db
    .insertInto('link_key')
    .values({ workspace_id: workspaceId, key_sealed: secrets.seal(randomBytes(32).toString('hex')) })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  const row = await db
    .selectFrom('link_key')
    .select('key_sealed')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Buffer.from(secrets.open(row.key_sealed), 'hex');
}

function signature(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, SIGNATURE_BYTES);
}

/**
 * The payload is 28 bytes (the workspace uuid, then the link and customer ids as 48-bit
 * integers), so a token is 61 characters: the router takes path parameters up to 100.
 */
export function signLinkToken(key: Buffer, p: LinkTokenPayload): string {
  const bytes = Buffer.alloc(28);
  Buffer.from(p.workspaceId.replaceAll('-', ''), 'hex').copy(bytes, 0);
  bytes.writeUIntBE(p.linkId, 16, 6);
  bytes.writeUIntBE(p.customerId, 22, 6);
  const payload = bytes.toString('base64url');
  return `${payload}.${signature(key, payload).toString('base64url')}`;
}

/** The payload of a well-formed token (not yet verified: the key depends on its workspace). */
export function readLinkToken(
  token: string,
): { payload: LinkTokenPayload; signed: string; sig: Buffer } | undefined {
  const [signed, sig, extra] = token.split('.');
  if (!signed || !sig || extra !== undefined || !/^[A-Za-z0-9_-]{38}$/.test(signed)) return undefined;
  const bytes = Buffer.from(signed, 'base64url');
  if (bytes.length !== 28) return undefined;
  const hex = bytes.subarray(0, 16).toString('hex');
  const workspaceId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return {
    payload: { workspaceId, linkId: bytes.readUIntBE(16, 6), customerId: bytes.readUIntBE(22, 6) },
    signed,
    sig: Buffer.from(sig, 'base64url'),
  };
}

/** Whether the signature is the key's, compared in constant time. */
export function verifyLinkToken(key: Buffer, signed: string, sig: Buffer): boolean {
  const expected = signature(key, signed);
  return sig.length === expected.length && timingSafeEqual(sig, expected);
}
