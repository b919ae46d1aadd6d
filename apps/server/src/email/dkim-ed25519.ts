// Ed25519 DKIM signatures (RFC 8463 over RFC 6376), added beside nodemailer's RSA one.
//
// nodemailer's DKIM signer makes rsa-sha256 signatures only (it signs with crypto.createSign
// 'RSA-SHA256'). So a sender with an Ed25519 key has its message built here (nodemailer's own
// MailComposer), signed with ed25519-sha256 (relaxed/relaxed), and handed to nodemailer as raw
// text, which nodemailer then signs with the RSA key as before: two DKIM-Signature fields, each
// over the same header fields. mailauth verifies both in test/email-dkim-ed25519.test.ts.
import { createHash, type KeyObject, sign } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';

export interface Ed25519Key {
  domainName: string;
  selector: string;
  privateKey: KeyObject;
  /** The header fields to sign, colon-separated (compose.ts `DKIM_SIGNED_HEADERS`). */
  headerFieldNames: string;
}

/** RFC 6376 section 3.4.2: unfold, runs of SP/HTAB to one SP, none around the colon or at the end. */
function relaxedHeader(name: string, value: string): string {
  return `${name.toLowerCase()}:${value
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '')}`;
}

/** RFC 6376 section 3.4.4: runs of SP/HTAB to one SP, none at line ends, no empty lines at the end. */
export function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
}

/** The header fields of a message, in order, each as [name, value with its folding]. */
function headerFields(head: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of head.split('\r\n')) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last[1] += `\r\n${line}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1)]);
    }
  }
  return fields;
}

/**
 * The DKIM-Signature field (ending in CRLF) that signs `raw` with Ed25519: the SHA-256 of the
 * canonicalized header fields and of this field with an empty b=, signed with PureEdDSA
 * (RFC 8463 section 3). Each listed field is signed in its last instance (RFC 6376 5.4.2);
 * fields the message lacks are left out of h=.
 */
export function ed25519Signature(raw: Buffer, key: Ed25519Key): string {
  // Header bytes are taken as latin1 so each byte stays one character (UTF-8 names included).
  const text = raw.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 4);
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const fields = headerFields(head);
  const signed: string[] = [];
  const names: string[] = [];
  for (const name of key.headerFieldNames.toLowerCase().split(':')) {
    const field = fields.findLast(([n]) => n.toLowerCase() === name);
    if (!field) continue;
    names.push(name);
    signed.push(relaxedHeader(name, field[1]));
  }
  const tags = [
    'v=1',
    'a=ed25519-sha256',
    'c=relaxed/relaxed',
    `d=${key.domainName}`,
    `s=${key.selector}`,
    `bh=${bodyHash}`,
    `h=${names.join(':')}`,
  ];
  const value = ` ${tags.join(';\r\n ')};\r\n b=`;
  const hash = createHash('sha256')
    .update(`${signed.join('\r\n')}\r\n${relaxedHeader('dkim-signature', value)}`, 'latin1')
    .digest();
  return `DKIM-Signature:${value}${sign(null, hash, key.privateKey).toString('base64')}\r\n`;
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
