// The built-in inbound SMTP listener (off unless KIZUNA_INBOUND_SMTP_PORT is set): receives
// bounces and complaints at the VERP return paths (bounce+TOKEN@return domain) and mailto
// unsubscribes (unsubscribe+TOKEN@…), and applies them.
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SMTPServer } from 'smtp-server';
import type { DB } from '../db/schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { readFeedbackReport } from './feedback-report.ts';
import { applyFeedback, resolveToken, unsubscribe } from './message-events.ts';

const TOKEN_RECIPIENT = /^(bounce|unsubscribe)\+([A-Za-z0-9_-]{53,56})@/;
/** Reports are small; anything larger is not one (a DSN quotes headers, an ARF the message). */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

export interface InboundOptions {
  db: Kysely<DB>;
  secrets: SecretBox;
  clock: Clock;
  logger: Logger;
}

export type InboundResult = 'applied' | 'ignored' | 'unknown_token';

/**
 * Applies one message received for `recipient`. To `unsubscribe+TOKEN`: the mailto of
 * List-Unsubscribe, consent revoked (source `email_unsubscribe_mailto`). To `bounce+TOKEN`: the
 * report is read; a hard bounce or complaint suppresses the address, a soft bounce counts.
 */
export async function handleInbound(
  options: InboundOptions,
  recipient: string,
  raw: Buffer,
): Promise<InboundResult> {
  const match = TOKEN_RECIPIENT.exec(recipient);
  if (!match) return 'ignored';
  const [, box, token] = match;
  const message = await resolveToken(options.db, options.secrets, box === 'bounce' ? 'b' : 'u', token!);
  if (!message) return 'unknown_token';
  const now = options.clock.now();
  if (box === 'unsubscribe') {
    await unsubscribe(options.db, message, 'email_unsubscribe_mailto', now);
    return 'applied';
  }
  const feedback = await readFeedbackReport(raw);
  if (!feedback) return 'ignored';
  await applyFeedback(options.db, message, feedback.kind, feedback.detail, now);
  return 'applied';
}

/**
 * Starts the listener. Recipients that are not a Kizuna token address are refused at RCPT
 * (550), so it is no open relay and stores nothing else. A message that cannot be applied
 * (database down) is answered 451, so the sending MTA retries it later.
 */
export async function startInboundSmtp(
  options: InboundOptions & { port: number; host?: string },
): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    banner: 'Kizuna feedback listener',
    onRcptTo(address, _session, callback) {
      if (TOKEN_RECIPIENT.test(address.address)) return callback();
      const error = new Error('5.1.1 No such recipient here') as Error & { responseCode: number };
      error.responseCode = 550;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        try {
          const raw = Buffer.concat(chunks);
          for (const rcpt of session.envelope.rcptTo) {
            const result = await handleInbound(options, rcpt.address, raw);
            options.logger.info({ result, box: rcpt.address.split('+')[0] }, 'email feedback received');
          }
          callback();
        } catch (error) {
          options.logger.error({ err: error }, 'email feedback not applied; the sender will retry');
          const failure = new Error('4.3.0 Try again later') as Error & { responseCode: number };
          failure.responseCode = 451;
          callback(failure);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '0.0.0.0', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
