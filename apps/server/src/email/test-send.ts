// A test mail to an operator's address: the sender's identity, DKIM and the relay, end to end.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SendMailOptions } from 'nodemailer';
import type { DB } from '../db/schema.ts';
import { DomainError, invalid, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { DKIM_SIGNED_HEADERS, messageIdOf } from './compose.ts';
import { withEd25519Signature } from './dkim-ed25519.ts';
import { isEmailAddress, openSender } from './sender.ts';
import type { SmtpSettings } from './smtp-settings.ts';
import { smtpTransport } from './smtp-transport.ts';

export interface TestSendResult {
  messageId: string;
  /** The relay's reply (`250 2.0.0 Ok: queued as …`). */
  response: string;
}

/**
 * Sends one test mail now (not through the outbox: it goes to an operator, not a customer, and
 * nothing retries it). An SMTP refusal is `upstream_unavailable` with the server's text.
 */
export async function sendTestEmail(
  db: Kysely<DB>,
  secrets: SecretBox,
  smtp: SmtpSettings | undefined,
  workspaceId: string,
  to: string,
): Promise<TestSendResult> {
  if (!isEmailAddress(to)) throw invalid([{ path: 'to', message: 'not an email address' }]);
  if (!smtp)
    throw new DomainError('upstream_unavailable', 'KIZUNA_SMTP_URL is not set', [], {
      reason: 'smtp_not_configured',
    });
  const sender = await openSender(db, secrets, workspaceId);
  if (!sender) throw notFound('email sender');
  const messageId = messageIdOf(randomUUID(), sender);
  const domain = sender.fromAddress.slice(sender.fromAddress.lastIndexOf('@') + 1);
  const mail: SendMailOptions = {
    from: { name: sender.fromName, address: sender.fromAddress },
    to,
    subject: `【テスト】${sender.fromName} からのテストメール / Test email`,
    text:
      `これは Kizuna からのテストメールです。DKIM 署名付きで ${smtp.host} から送信されました。\n` +
      `This is a test email from Kizuna, DKIM-signed and sent through ${smtp.host}.\n`,
    messageId,
    dkim: {
      domainName: domain,
      keySelector: sender.dkimSelector,
      privateKey: sender.dkimPrivateKey,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    },
  };
  try {
    // Signed with the Ed25519 key too when the sender has one, as its sends are.
    const ed25519 = sender.dkimEd25519;
    const signed = ed25519
      ? await withEd25519Signature(mail, {
          domainName: domain,
          selector: ed25519.selector,
          privateKey: ed25519.privateKey,
          headerFieldNames: DKIM_SIGNED_HEADERS,
        })
      : mail;
    const info = await smtpTransport(smtp).sendMail(signed);
    return { messageId, response: info.response ?? '' };
  } catch (error) {
    const e = error as { response?: string; message?: string };
    throw new DomainError('upstream_unavailable', `SMTP: ${e.response ?? e.message ?? String(error)}`, [], {
      cause: error,
      reason: 'smtp_refused',
    });
  }
}
