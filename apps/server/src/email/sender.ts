// A workspace's email sender: settings, its sealed DKIM and token keys, and the DNS records to publish.
import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, type FieldProblem, invalid, notFound } from '../shared/domain-error.ts';
import { isEmailAddress as isAddress } from '../shared/email.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import {
  type DkimAlgorithm,
  type DnsRecord,
  dnsRecords,
  ED25519_SELECTOR,
  generateDkimKey,
  nextSelector,
} from './dkim.ts';
import './email-tables.ts';

export interface SenderInput {
  fromName: string;
  fromAddress: string;
  replyTo?: string | null;
  /** 送信者の住所: the physical address the specified e-mail act requires in advertising mail. */
  postalAddress: string;
  /** 苦情・問い合わせ先: a phone number, email address or URL for complaints and questions. */
  contact: string;
  /** The domain of bounce return paths and the unsubscribe mailto (default: the From domain). */
  returnDomain?: string;
  dkimSelector?: string;
  /** What one message costs through the shop's relay, in yen (0 to 1,000, up to 4 decimals); kept when absent. */
  yenPerMessage?: number;
}

export interface SenderView {
  id: string;
  fromName: string;
  fromAddress: string;
  replyTo: string | null;
  postalAddress: string;
  contact: string;
  returnDomain: string;
  dkimSelector: string;
  /** The selector of the sender's Ed25519 key (RFC 8463), or null: RSA only. */
  dkimEd25519Selector: string | null;
  /** The selector of the RSA key made by a rotation and not yet signing (publish it, then activate), or null. */
  dkimPendingSelector: string | null;
  /** The selector of the RSA key that signed before the last activation: its record can go after a few days. */
  dkimRetiredSelector: string | null;
  /** The records to publish in DNS: DKIM (RSA, pending and retired RSA, Ed25519 if made), SPF, DMARC. */
  dnsRecords: DnsRecord[];
  /** What one message costs through the shop's relay, in yen (results count it as the email's cost). */
  yenPerMessage: number;
}

/** The sender with its keys opened, for delivery. */
export interface OpenSender extends SenderView {
  workspaceId: string;
  dkimPrivateKey: string;
  /** The Ed25519 signing key, parsed, when the sender has one: mail is then signed twice. */
  dkimEd25519: { selector: string; privateKey: KeyObject } | null;
  tokenKey: Buffer;
}

// Labels of letters, digits and inner hyphens; checked after the length, so no input costs much.
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+$/;

/**
 * Whether a string is an address Kizuna will put in a header: the shared check plus nothing a
 * header would read as syntax (quotes, brackets, commas) in it.
 */
export function isEmailAddress(value: string): boolean {
  return isAddress(value) && !/["<>(),;:\\[\]]/.test(value);
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function checkSender(input: SenderInput): void {
  const problems: FieldProblem[] = [];
  const text = (path: keyof SenderInput, max: number) => {
    const value = input[path];
    if (typeof value !== 'string' || !value.trim() || value.length > max)
      problems.push({ path, message: `must be 1 to ${max} characters` });
    else if (/[\r\n]/.test(value)) problems.push({ path, message: 'must be one line' });
  };
  text('fromName', 100);
  text('postalAddress', 300);
  text('contact', 300);
  if (!isEmailAddress(input.fromAddress))
    problems.push({ path: 'fromAddress', message: 'not an email address' });
  if (input.replyTo && !isEmailAddress(input.replyTo))
    problems.push({ path: 'replyTo', message: 'not an email address' });
  if (input.returnDomain !== undefined && !DOMAIN.test(input.returnDomain))
    problems.push({ path: 'returnDomain', message: 'not a domain name' });
  if (input.dkimSelector !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.dkimSelector))
    problems.push({ path: 'dkimSelector', message: 'must match ^[a-z0-9][a-z0-9-]{0,62}$' });
  if (
    input.yenPerMessage !== undefined &&
    !(
      Number.isFinite(input.yenPerMessage) &&
      input.yenPerMessage >= 0 &&
      input.yenPerMessage <= 1000 &&
      Math.abs(input.yenPerMessage * 10_000 - Math.round(input.yenPerMessage * 10_000)) < 1e-6
    )
  )
    problems.push({ path: 'yenPerMessage', message: 'must be 0 to 1,000 yen with at most 4 decimals' });
  if (problems.length) throw invalid(problems);
}

function view(row: Awaited<ReturnType<typeof readSenderRow>> & object): SenderView {
  return {
    id: row.id,
    fromName: row.from_name,
    fromAddress: row.from_address,
    replyTo: row.reply_to,
    postalAddress: row.postal_address,
    contact: row.contact,
    returnDomain: row.return_domain,
    dkimSelector: row.dkim_selector,
    dkimEd25519Selector: row.dkim_ed25519_selector,
    dkimPendingSelector: row.dkim_pending_selector,
    dkimRetiredSelector: row.dkim_retired_selector,
    dnsRecords: dnsRecords({
      domain: domainOf(row.from_address),
      returnDomain: row.return_domain,
      selector: row.dkim_selector,
      publicKey: row.dkim_public,
      ed25519:
        row.dkim_ed25519_selector && row.dkim_ed25519_public
          ? { selector: row.dkim_ed25519_selector, publicKey: row.dkim_ed25519_public }
          : undefined,
      pending:
        row.dkim_pending_selector && row.dkim_pending_public
          ? { selector: row.dkim_pending_selector, publicKey: row.dkim_pending_public }
          : undefined,
      retired:
        row.dkim_retired_selector && row.dkim_retired_public
          ? { selector: row.dkim_retired_selector, publicKey: row.dkim_retired_public }
          : undefined,
    }),
    yenPerMessage: Number(row.yen_per_message),
  };
}

function readSenderRow(db: Kysely<DB>, workspaceId: string) {
  return db.selectFrom('email_sender').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

/** The workspace's sender, or not_found when none is set up. */
export async function getSender(db: Kysely<DB>, workspaceId: string): Promise<SenderView> {
  const row = await readSenderRow(db, workspaceId);
  if (!row) throw notFound('email sender');
  return view(row);
}

/**
 * Sets the workspace's sender. The first call makes its DKIM key (RSA-2048) and token key, both
 * sealed; later calls keep them (a new DKIM key is `rotateDkimKey`, the `kizuna email dkim --rotate`).
 */
export async function putSender(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  input: SenderInput,
): Promise<SenderView> {
  checkSender(input);
  const current = await readSenderRow(db, workspaceId);
  if (input.dkimSelector && input.dkimSelector === current?.dkim_ed25519_selector)
    throw invalid([{ path: 'dkimSelector', message: "is the sender's Ed25519 selector; choose another" }]);
  if (
    input.dkimSelector &&
    input.dkimSelector !== current?.dkim_selector &&
    [current?.dkim_pending_selector, current?.dkim_retired_selector].includes(input.dkimSelector)
  )
    throw invalid([{ path: 'dkimSelector', message: "is the sender's pending or retired DKIM selector" }]);
  const settings = {
    from_name: input.fromName.trim(),
    from_address: input.fromAddress,
    // Empty is none: the route's body validator (Fastify's ajv, coerceTypes) turns a JSON null
    // into "" for the union's string branch, and the column's check refuses an empty address.
    reply_to: input.replyTo || null,
    postal_address: input.postalAddress.trim(),
    contact: input.contact.trim(),
    return_domain: input.returnDomain ?? domainOf(input.fromAddress),
    ...(input.yenPerMessage !== undefined ? { yen_per_message: input.yenPerMessage } : {}),
    // A record's own timestamp (the database's clock), not business time.
    updated_at: sql<Date>`now()`,
  };
  const key = generateDkimKey();
  await db
    .insertInto('email_sender')
    .values({
      workspace_id: workspaceId,
      ...settings,
      dkim_selector: input.dkimSelector ?? 'kizuna1',
      dkim_private_sealed: secrets.seal(key.privateKeyPem),
      dkim_public: key.publicKey,
      token_key_sealed: secrets.seal(randomBytes(32).toString('base64')),
    })
    .onConflict((oc) =>
      oc.column('workspace_id').doUpdateSet({
        ...settings,
        ...(input.dkimSelector ? { dkim_selector: input.dkimSelector } : {}),
      }),
    )
    .execute();
  return getSender(db, workspaceId);
}

/**
 * Makes a new DKIM key of the algorithm. RSA makes a **pending** key under the next selector
 * (`kizuna1` → `kizuna2`; a second rotation before activation replaces the pending key under the
 * same pending selector) and the current key keeps signing: publish the pending record, then
 * `activateDkimKey`. Ed25519 adds the sender's Ed25519 key (selector `kizuna-ed25519`, or
 * `kizuna-ed25519-2` if the RSA key has that one) or replaces it in place: the RSA signature
 * carries DKIM (and DMARC) while the new Ed25519 record spreads.
 */
export async function rotateDkimKey(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  algorithm: DkimAlgorithm = 'rsa',
): Promise<SenderView> {
  const current = await readSenderRow(db, workspaceId);
  if (!current) throw notFound('email sender');
  const key = generateDkimKey(algorithm);
  const taken = [current.dkim_selector, current.dkim_ed25519_selector, current.dkim_retired_selector];
  const row = await db
    .updateTable('email_sender')
    .set(
      algorithm === 'rsa'
        ? {
            dkim_pending_selector:
              current.dkim_pending_selector ?? nextSelector(current.dkim_selector, taken),
            dkim_pending_private_sealed: secrets.seal(key.privateKeyPem),
            dkim_pending_public: key.publicKey,
          }
        : {
            dkim_ed25519_selector: sql<string>`coalesce(dkim_ed25519_selector,
              case when dkim_selector = ${ED25519_SELECTOR} then ${`${ED25519_SELECTOR}-2`} else ${ED25519_SELECTOR} end)`,
            dkim_ed25519_private_sealed: secrets.seal(key.privateKeyPem),
            dkim_ed25519_public: key.publicKey,
          },
    )
    // A record's own timestamp (the database's clock), not business time.
    .set({ updated_at: sql<Date>`now()` })
    .where('workspace_id', '=', workspaceId)
    // The selector was chosen from this row: a concurrent PUT that changed it makes this miss.
    .where('dkim_selector', '=', current.dkim_selector)
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new DomainError('conflict', 'email sender: changed during the rotation; try again');
  return getSender(db, workspaceId);
}

/**
 * Makes the pending RSA key the signing key, in one statement. The key that signed until now
 * becomes the retired key: its private half is dropped (nothing signs with it again) and its
 * record stays listed until the next activation, because mail it signed may still be in transit.
 * A send already under way keeps the key it opened with (its record is the retired one, still
 * published). `conflict` (reason `no_pending_dkim_key`) when there is nothing to activate.
 */
export async function activateDkimKey(db: Kysely<DB>, workspaceId: string): Promise<SenderView> {
  const row = await db
    .updateTable('email_sender')
    .set({
      // Every right-hand side reads the row as it was before this update.
      dkim_retired_selector: sql<string>`dkim_selector`,
      dkim_retired_public: sql<string>`dkim_public`,
      dkim_retired_at: sql<Date>`now()`,
      dkim_selector: sql<string>`dkim_pending_selector`,
      dkim_private_sealed: sql<string>`dkim_pending_private_sealed`,
      dkim_public: sql<string>`dkim_pending_public`,
      dkim_pending_selector: null,
      dkim_pending_private_sealed: null,
      dkim_pending_public: null,
      updated_at: sql<Date>`now()`,
    })
    .where('workspace_id', '=', workspaceId)
    .where('dkim_pending_selector', 'is not', null)
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    await getSender(db, workspaceId); // not_found when there is no sender at all
    throw new DomainError(
      'conflict',
      'dkimPendingSelector: no pending DKIM key to activate; make one first (POST /v1/email/sender/dkim/rotate)',
      [{ path: 'dkimPendingSelector', message: 'no pending DKIM key' }],
      { reason: 'no_pending_dkim_key' },
    );
  }
  return getSender(db, workspaceId);
}

/** The sender with its keys opened (delivery, unsubscribe and tracking routes). */
export async function openSender(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
): Promise<OpenSender | undefined> {
  const row = await readSenderRow(db, workspaceId);
  if (!row) return undefined;
  return {
    ...view(row),
    workspaceId,
    dkimPrivateKey: secrets.open(row.dkim_private_sealed),
    dkimEd25519:
      row.dkim_ed25519_selector && row.dkim_ed25519_private_sealed
        ? {
            selector: row.dkim_ed25519_selector,
            privateKey: createPrivateKey(secrets.open(row.dkim_ed25519_private_sealed)),
          }
        : null,
    tokenKey: Buffer.from(secrets.open(row.token_key_sealed), 'base64'),
  };
}
