// Signed tokens naming one message (workspace, send, seq): the unsubscribe URL and mailto, the
// VERP return path and the open pixel carry one. Opaque and unguessable per recipient (RFC 8058).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** One message: the outbox row (send, seq) of a workspace. */
export interface MessageRef {
  workspaceId: string;
  sendId: number;
  seq: number;
}

/** What a token is for: a token for one use does not work for another. */
export type TokenPurpose = 'u' | 'b' | 'o';

const MAC_BYTES = 12;

function mac(key: Buffer, purpose: TokenPurpose, body: Buffer): Buffer {
  return createHmac('sha256', key).update(purpose).update(body).digest().subarray(0, MAC_BYTES);
}

/**
 * A token for one message, base64url: the workspace (16 bytes), send (8), seq (4) and an
 * HMAC-SHA256 tag (96 bits) under the sender's token key. Lower-case-safe it is not: it goes in
 * URLs and the local part of addresses, which keep case in practice (RFC 5321 §2.4).
 *
 * @example
 * const token = signMessageToken(key, 'u', { workspaceId, sendId: 3, seq: 0 });
 */
export function signMessageToken(key: Buffer, purpose: TokenPurpose, ref: MessageRef): string {
  const body = Buffer.alloc(28);
  Buffer.from(ref.workspaceId.replace(/-/g, ''), 'hex').copy(body, 0);
  body.writeBigUInt64BE(BigInt(ref.sendId), 16);
  body.writeUInt32BE(ref.seq, 24);
  return Buffer.concat([body, mac(key, purpose, body)]).toString('base64url');
}

/** The workspace a token claims, read before its key is known (the key is the workspace's). */
export function tokenWorkspace(token: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{53,56}$/.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== 28 + MAC_BYTES) return undefined;
  const hex = raw.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The message a token names, if its tag is right for this key and purpose. */
export function verifyMessageToken(
  key: Buffer,
  purpose: TokenPurpose,
  token: string,
): MessageRef | undefined {
  const workspaceId = tokenWorkspace(token);
  if (!workspaceId) return undefined;
  const raw = Buffer.from(token, 'base64url');
  const body = raw.subarray(0, 28);
  if (!timingSafeEqual(raw.subarray(28), mac(key, purpose, body))) return undefined;
  return { workspaceId, sendId: Number(body.readBigUInt64BE(16)), seq: body.readUInt32BE(24) };
}
