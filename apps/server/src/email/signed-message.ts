// One message built and DKIM-signed before its SMTP transaction, and sent with its end held back.
//
// nodemailer's SMTP transport signs a message while it sends it, but its DKIM signer reads the
// whole message (the body hash comes first) before a byte goes out. Kizuna builds the message
// (plain-mime.ts for the shape composeEmail makes, nodemailer's MailComposer for any other; CRLF
// line ends as the SMTP client sends them), signs it itself (dkim-signature.ts: RSA, and Ed25519
// when the sender has that key, over one body hash), and hands the SMTP transport the signed
// bytes. That lets the CPU work of message k+1 run while
// message k's outcome is being committed, and lets k+1's bytes travel while only its final `.`
// waits (heldMessageStream).
import { PassThrough, type Readable } from 'node:stream';
import type { SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { DKIM_SIGNED_HEADERS } from './compose.ts';
import type { Ed25519Key } from './dkim-ed25519.ts';
import { canonicalMessage, type DkimKey, dkimSignature } from './dkim-signature.ts';
import { type PlainMime, plainMime } from './plain-mime.ts';

/** A message ready for the wire: its SMTP envelope and its signed bytes (CRLF line ends). */
export interface SignedMessage {
  envelope: { from: string; to: string[] };
  /** The Message-ID header's value, with its angle brackets. */
  messageId: string;
  raw: Buffer;
}

/**
 * Builds `mail` and signs it: rsa-sha256 with its `dkim` options (nodemailer's DKIM options, the
 * key a KeyObject or PEM text), then ed25519-sha256 with `ed25519` if given. The signature fields
 * come first, RSA's on top.
 *
 * @example
 * const signed = await signMessage(composeEmail(input));
 * await deliverMessage(transport, pacer, signed);
 */
export async function signMessage(mail: SendMailOptions, ed25519?: Ed25519Key): Promise<SignedMessage> {
  const { dkim, ...content } = mail;
  const { raw, envelope, messageId } = plainMime(content) ?? (await composed(content));
  const canonical = canonicalMessage(raw);
  const keys: DkimKey[] = [];
  if (dkim) {
    if (!dkim.domainName || !dkim.keySelector || !dkim.privateKey)
      throw new Error('signMessage: dkim needs domainName, keySelector and privateKey');
    keys.push({
      algorithm: 'rsa-sha256',
      domainName: dkim.domainName,
      selector: dkim.keySelector,
      // nodemailer types it as PEM text; compose.ts passes the KeyObject parsed once per send.
      privateKey: dkim.privateKey as DkimKey['privateKey'],
      headerFieldNames: dkim.headerFieldNames ?? DKIM_SIGNED_HEADERS,
    });
  }
  if (ed25519) keys.push({ algorithm: 'ed25519-sha256', ...ed25519 });
  const fields = keys.map((key) => dkimSignature(canonical, key)).join('');
  return { envelope, messageId, raw: fields ? Buffer.concat([Buffer.from(fields, 'latin1'), raw]) : raw };
}

/** Any other message, built by nodemailer's MailComposer. */
async function composed(content: SendMailOptions): Promise<PlainMime> {
  const node = new MailComposer(content).compile();
  // MailComposer keeps a text part's bare LFs; the SMTP client sends them as CRLF, so the
  // signature must be over CRLF lines (latin1: one character per byte, UTF-8 left intact).
  const raw = toCrlf(await node.build());
  const envelope = node.getEnvelope();
  return { raw, envelope: { from: envelope.from || '', to: envelope.to }, messageId: node.messageId() };
}

/** `raw` with every bare LF made CRLF (as nodemailer's SMTP client sends it); unchanged if none. */
function toCrlf(raw: Buffer): Buffer {
  for (let at = raw.indexOf(10); at >= 0; at = raw.indexOf(10, at + 1)) {
    if (at === 0 || raw[at - 1] !== 13)
      return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  }
  return raw;
}

/**
 * The message as a stream for one SMTP transaction: every byte at once, the end only when `hold`
 * resolves. The SMTP client writes the terminating `.` after the stream ends, and the server
 * accepts nothing before it; so the message travels while the previous outcome commits, and is
 * accepted only after. If `hold` rejects, the stream fails: the client drops the connection
 * without the `.` and the server discards what it received.
 */
export function heldMessageStream(raw: Buffer, hold: Promise<void> | undefined): Readable {
  const stream = new PassThrough();
  // nodemailer listens for the failure while it reads the stream; after a transaction that ended
  // early (a 4xx at RCPT) nobody does, and an unheard 'error' would end the process.
  stream.on('error', () => undefined);
  stream.write(raw);
  if (!hold) stream.end();
  else
    hold.then(
      () => stream.end(),
      (error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  return stream;
}
