// The pooled SMTP connection to the relay, and one message's delivery with its answer classified.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { RequestOutcome } from '../messaging/decisions.ts';
import { type Pacer, sleep } from '../messaging/pacer.ts';
import { heldMessageStream, type SignedMessage } from './signed-message.ts';
import type { SmtpSettings } from './smtp-settings.ts';

const transports = new Map<string, Transporter>();

/**
 * This process's pooled transport to the relay (one per URL): up to `smtp.connections` (5 unless
 * the URL says `?connections=`), each reused for 100 messages. A send has one message in flight
 * per connection, so a killed worker can leave at most that many accepted by the relay and not
 * yet recorded (deliver-send.ts). STARTTLS is used whenever the server offers it (`requireTLS` refuses one that
 * does not); `smtps://` is TLS from the start.
 */
export function smtpTransport(smtp: SmtpSettings, options: { maxConnections?: number } = {}): Transporter {
  const maxConnections = options.maxConnections ?? smtp.connections;
  const key = `${smtp.url}#${maxConnections}`;
  let transport = transports.get(key);
  if (!transport) {
    const poolOptions: SMTPPool.Options = {
      pool: true,
      url: smtp.url,
      secure: smtp.secure,
      requireTLS: smtp.requireTls,
      maxConnections,
      maxMessages: 100,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      logger: false,
    };
    transport = nodemailer.createTransport(poolOptions);
    transports.set(key, transport);
  }
  return transport;
}

/** Closes every pooled connection (tests, shutdown). */
export function closeSmtpTransports(): void {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}

const ATTEMPTS = 5;

interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

/**
 * Sends one signed message, retrying within this call what SMTP says may succeed later: a 4xx
 * reply (greylisting, a provider's deferral), a dropped connection or a timeout, with a growing
 * pause (up to 5 attempts, then `retry_later`: the request stays pending and the core resends it,
 * with the same Message-ID, in a later round). A 5xx reply is final: `failed` with the server's
 * text. The 4xx also holds the domain's pacer, as a deferral usually means "slower".
 *
 * `hold` (the commit of the previous outcome on this slot, deliver-send.ts): the message's bytes
 * go out at once but its final `.` only once `hold` resolves, so the server cannot accept it
 * before then. If `hold` rejects, the transaction is abandoned without the `.` and its error
 * thrown: nothing was accepted.
 *
 * The one window no SMTP client can close: the server accepted the message (250 after DATA) but
 * the reply was lost (connection cut, timeout). The retry then delivers a second copy, carrying
 * the same Message-ID, by which a receiver or an audit can recognise it.
 */
export async function deliverMessage(
  transport: Transporter,
  pacer: Pacer,
  message: SignedMessage,
  hold?: Promise<void>,
): Promise<RequestOutcome> {
  let holdFailed: { error: unknown } | undefined;
  hold?.catch((error: unknown) => {
    holdFailed = { error };
  });
  let lastError = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await pacer.take();
    try {
      const info = await sendSigned(transport, message, hold);
      pacer.settle();
      return { kind: 'accepted', providerRequestId: queueIdOf(info.response), attempts: attempt };
    } catch (error) {
      if (holdFailed) throw holdFailed.error;
      const e = error as SmtpError;
      const code = e.responseCode;
      if (code !== undefined && code >= 500 && code < 600)
        return { kind: 'failed', error: (e.response ?? `${code}`).slice(0, 500), attempts: attempt };
      if (code !== undefined && code >= 400) pacer.backOff();
      lastError = (e.response ?? `${e.code ?? ''} ${e.message ?? String(error)}`).trim().slice(0, 500);
      await sleep(Math.min(2_000, 50 * 2 ** attempt));
    }
  }
  return { kind: 'retry_later', error: lastError, attempts: ATTEMPTS };
}

/**
 * Hands the signed bytes to the pool through nodemailer's transport interface (`send(mail,
 * callback)`, what `sendMail` ends in) with a message object that only streams them. `sendMail`
 * would first compile the raw message into a MIME node and pipe it through a `pipeline` and a
 * LastNewline transform, per message, to send the same bytes: 0.15–0.19 ms of CPU per message
 * in the bench (bench/email/HISTORY.md, 2026-12-07 evening). The pool reads from the message only
 * its envelope, its Message-ID and a fresh stream per attempt (`createReadStream`, called again
 * when a connection closed before reading it requeues the message).
 */
function sendSigned(
  transport: Transporter,
  message: SignedMessage,
  hold: Promise<void> | undefined,
): Promise<SMTPPool.SentMessageInfo> {
  const mail = {
    data: {},
    message: {
      getEnvelope: () => ({ from: message.envelope.from, to: [...message.envelope.to] }),
      messageId: () => message.messageId,
      getHeader: (name: string) => (name.toLowerCase() === 'message-id' ? message.messageId : undefined),
      createReadStream: () => heldMessageStream(message.raw, hold),
    },
  };
  return new Promise((resolve, reject) => {
    // The pool's type wants a whole MailMessage (a MIME tree, the mailer); it reads only the
    // members above (nodemailer's smtp-pool and pool-resource).
    transport.transporter.send(mail as never, (error, info) =>
      error ? reject(error) : resolve(info as SMTPPool.SentMessageInfo),
    );
  });
}

/** The relay's queue id from its 250 reply ("250 2.0.0 Ok: queued as 4Q3x…"), else the reply. */
function queueIdOf(response: string | undefined): string | null {
  if (!response) return null;
  const match = /queued as\s+(\S+)/i.exec(response);
  return (match?.[1] ?? response).slice(0, 200);
}
