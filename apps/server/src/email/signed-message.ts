// One message built and DKIM-signed before its SMTP transaction, and sent with its end held back.
//
// nodemailer's SMTP transport signs a message while it sends it, but its DKIM signer reads the
// whole message (the body hash comes first) before a byte goes out. Kizuna builds and signs the
// message itself, with the same nodemailer code (its stream transport: MailComposer and the DKIM
// signer, CRLF line ends as the SMTP client sends them), and hands the SMTP transport the signed
// bytes. That lets the CPU work of message k+1 run while message k's outcome is being committed,
// and lets k+1's bytes travel while only its final `.` waits (heldMessageStream).
import { PassThrough, type Readable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';

/** A message ready for the wire: its SMTP envelope and its signed bytes (CRLF line ends). */
export interface SignedMessage {
  envelope: { from: string; to: string[] };
  /** The Message-ID header's value, with its angle brackets. */
  messageId: string;
  raw: Buffer;
}

// Builds messages into a Buffer; it opens no connection and holds no state between messages.
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

/**
 * Builds `mail` and signs it with its `dkim` options (RSA, by nodemailer), the bytes the SMTP
 * transport would have sent for the same options.
 *
 * @example
 * const signed = await signMessage(composeEmail(input));
 * await deliverMessage(transport, pacer, signed);
 */
export async function signMessage(mail: SendMailOptions): Promise<SignedMessage> {
  const info = await composer.sendMail(mail);
  const envelope = info.envelope as { from: string | false; to: string[] };
  // The stream transport with `buffer: true` gives the message as a Buffer.
  return {
    envelope: { from: envelope.from || '', to: envelope.to },
    messageId: info.messageId,
    raw: info.message as Buffer,
  };
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
