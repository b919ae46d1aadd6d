// The digital membership card. The member's app shows a QR code whose payload is
//   KZM1.<member number>.<issued-at, unix seconds>.<signature>
// signed with HMAC-SHA256 over the workspace id, member number and issued-at under a
// per-workspace key (random, stored sealed with the deployment's secret box). The till refuses a
// payload older than rules.qrValiditySeconds, so a screenshot is useless minutes later, and one
// whose signature does not verify. Rotation is simply issuing a fresh payload (the app refreshes
// it every minute or so); nothing is stored per payload.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { customerByMemberNo, lockMember } from './members.ts';
import { loadRules } from './rules.ts';

const PREFIX = 'KZM1';
/** A phone clock a little ahead of the server's is tolerated. */
const CLOCK_SKEW_SECONDS = 30;

async function cardKey(db: Kysely<DB>, workspaceId: string, secrets: SecretBox): Promise<Buffer> {
  // Read first: every scan needs the key, and an upsert here would make all of a workspace's
  // tills queue on one row lock.
  const stored = await sql<{ card_key_sealed: string | null }>`
    select card_key_sealed from loyalty_program where workspace_id = ${workspaceId}`.execute(db);
  let sealed = stored.rows[0]?.card_key_sealed;
  if (!sealed) {
    // The first caller creates the key; a concurrent first caller keeps whichever was stored first.
    const { rows } = await sql<{ card_key_sealed: string }>`
      insert into loyalty_program (workspace_id, card_key_sealed)
      values (${workspaceId}, ${secrets.seal(randomBytes(32).toString('base64'))})
      on conflict (workspace_id) do update
        set card_key_sealed = coalesce(loyalty_program.card_key_sealed, excluded.card_key_sealed)
      returning card_key_sealed`.execute(db);
    sealed = rows[0]!.card_key_sealed;
  }
  try {
    return Buffer.from(secrets.open(sealed), 'base64');
  } catch (error) {
    throw new Error(
      'the membership-card key cannot be opened with this deployment secret key (was KIZUNA_SECRET_KEY changed?); ' +
        'run `kizuna loyalty card-key reset` to issue a new one (cards in use refresh within minutes)',
      { cause: error },
    );
  }
}

/** Drops the workspace's card key; the next card or scan creates a new one. */
export async function resetCardKey(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await sql`update loyalty_program set card_key_sealed = null where workspace_id = ${workspaceId}`.execute(
    db,
  );
}

function sign(key: Buffer, workspaceId: string, memberNo: string, issuedAt: number): string {
  return createHmac('sha256', key)
    .update(`${PREFIX}|${workspaceId}|${memberNo}|${issuedAt}`)
    .digest('base64url');
}

export interface CardPayload {
  memberNo: string;
  payload: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** A fresh QR payload for the customer's card (making them a member if needed). */
export async function issueCardPayload(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  secrets: SecretBox,
  at = new Date(),
): Promise<CardPayload> {
  const member = await transact(db, (tx) => lockMember(tx, workspaceId, customerId));
  const rules = await loadRules(db, workspaceId);
  const key = await cardKey(db, workspaceId, secrets);
  const issuedAt = Math.floor(at.getTime() / 1000);
  return {
    memberNo: member.member_no,
    payload: `${PREFIX}.${member.member_no}.${issuedAt}.${sign(key, workspaceId, member.member_no, issuedAt)}`,
    issuedAt: new Date(issuedAt * 1000),
    expiresAt: new Date((issuedAt + rules.qrValiditySeconds) * 1000),
  };
}

/**
 * Checks a scanned payload and returns the customer it belongs to. Refuses, with a message the
 * till can show: a payload that is not a Kizuna card, a forged or other workspace's one, and an
 * expired one ("ask the customer to refresh the card").
 */
export async function verifyCardPayload(
  db: Kysely<DB>,
  workspaceId: string,
  payload: string,
  secrets: SecretBox,
  at = new Date(),
): Promise<{ customerId: number; memberNo: string }> {
  const parts = payload.trim().split('.');
  if (
    parts.length !== 4 ||
    parts[0] !== PREFIX ||
    !/^\d{1,20}$/.test(parts[1]!) ||
    !/^\d{1,12}$/.test(parts[2]!)
  )
    throw new DomainError('invalid', 'qr: not a Kizuna membership card', [
      { path: 'qr', message: 'not a Kizuna membership card' },
    ]);
  const [, memberNo, issued, signature] = parts as [string, string, string, string];
  const key = await cardKey(db, workspaceId, secrets);
  const expected = Buffer.from(sign(key, workspaceId, memberNo, Number(issued)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new DomainError(
      'invalid',
      'qr: the membership card signature is not valid (forged, or from another shop)',
      [{ path: 'qr', message: 'signature is not valid' }],
    );
  const rules = await loadRules(db, workspaceId);
  const age = at.getTime() / 1000 - Number(issued);
  if (age > rules.qrValiditySeconds)
    throw new DomainError(
      'invalid',
      `qr: the membership card code expired ${Math.round(age - rules.qrValiditySeconds)} s ago; ask the customer to refresh the card`,
      [{ path: 'qr', message: 'expired' }],
    );
  if (age < -CLOCK_SKEW_SECONDS)
    throw new DomainError('invalid', 'qr: the membership card code is issued in the future', [
      { path: 'qr', message: 'issued in the future' },
    ]);
  const customerId = await customerByMemberNo(db, workspaceId, memberNo);
  if (customerId === undefined) throw new DomainError('not_found', `member ${memberNo} not found`);
  return { customerId, memberNo };
}
