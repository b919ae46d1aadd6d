// Ed25519 DKIM signatures (RFC 8463 over RFC 6376) for mail that nodemailer sends and signs with
// RSA: the test mail (test-send.ts). Its message is built here (nodemailer's own MailComposer),
// signed with ed25519-sha256 (dkim-signature.ts), and handed to nodemailer as raw text, which
// nodemailer then signs with the RSA key: two DKIM-Signature fields over the same header fields.
// A send's messages get both signatures in signed-message.ts instead. mailauth verifies both in
// test/email-dkim-ed25519.test.ts.
import type { KeyObject } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { canonicalMessage, dkimSignature } from './dkim-signature.ts';

export interface Ed25519Key {
  domainName: string;
  selector: string;
  privateKey: KeyObject;
  /** The header fields to sign, colon-separated (compose.ts `DKIM_SIGNED_HEADERS`). */
  headerFieldNames: string;
}

/** The Ed25519 DKIM-Signature field (ending in CRLF) over `raw` (dkim-signature.ts). */
export function ed25519Signature(raw: Buffer, key: Ed25519Key): string {
  return dkimSignature(canonicalMessage(raw), { algorithm: 'ed25519-sha256', ...key });
}

/**
 * The same message built and signed with Ed25519, as raw text with its envelope; nodemailer adds
 * the RSA signature from `dkim` when it sends it.
 *
 * @example
 * await transport.sendMail(await withEd25519Signature(composeEmail(input), key));
 */
export async function withEd25519Signature(mail: SendMailOptions, key: Ed25519Key): Promise<SendMailOptions> {
  const { dkim, envelope, ...content } = mail;
  // MailComposer keeps a text part's bare LFs; the SMTP client sends them as CRLF, so the
  // signature must be over CRLF lines (latin1: one character per byte, UTF-8 left intact).
  const built = Buffer.from(
    (await new MailComposer(content).compile().build()).toString('latin1').replace(/\r?\n/g, '\r\n'),
    'latin1',
  );
  return {
    envelope: envelope ?? new MailComposer(content).compile().getEnvelope(),
    raw: Buffer.concat([Buffer.from(ed25519Signature(built, key), 'latin1'), built]),
    ...(dkim ? { dkim } : {}),
  };
}
