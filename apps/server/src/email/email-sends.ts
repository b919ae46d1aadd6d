// Email sends: the messaging core's sends with the email adapter, from a template or given content.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { createSend } from '../messaging/create-send.ts';
import type { MessageStatus } from '../messaging/decisions.ts';
import { findSendId, getSend, listSendDecisions, type SendView } from '../messaging/send-status.ts';
import type { QuietHoursChoice, SendKind } from '../messaging/send-tables.ts';
import { invalid, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { EmailContent } from './compose.ts';
import { emailAdapter } from './email-adapter.ts';
import { checkEmailLiquid } from './email-liquid.ts';
import { personalizeEmail } from './personalize-email.ts';

export interface EmailSendInput {
  /** A saved template (its subject, HTML and text, and its kind unless `kind` is given). */
  templateId?: number;
  /** Or the content itself. */
  content?: { subject: string; html: string; text: string };
  customerIds: number[];
  idempotencyKey: string;
  origin?: string;
  kind?: SendKind;
  quietHours?: QuietHoursChoice;
}

async function contentOf(
  db: Kysely<DB>,
  workspaceId: string,
  input: EmailSendInput,
): Promise<{ content: EmailContent; kind: SendKind }> {
  if ((input.templateId === undefined) === (input.content === undefined))
    throw invalid([{ path: 'templateId', message: 'give either templateId or content' }]);
  if (input.content) {
    // A template was checked when saved; given content is checked here, naming `content.html`.
    const { subject, html, text } = input.content;
    await checkEmailLiquid(db, workspaceId, {
      'content.subject': subject,
      'content.html': html,
      'content.text': text,
    });
    return { content: { type: 'email', ...input.content }, kind: input.kind ?? 'marketing' };
  }
  const template = await db
    .selectFrom('email_template')
    .select(['id', 'subject', 'html', 'text', 'kind'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', input.templateId!)
    .executeTakeFirst();
  if (!template) throw notFound('email template');
  return {
    content: {
      type: 'email',
      subject: template.subject,
      html: template.html,
      text: template.text,
      templateId: template.id,
    },
    kind: input.kind ?? template.kind,
  };
}

/** What an email send needs besides the database: the sealed link key's box and the redirect base. */
export interface EmailSendDeps {
  jobs: Jobs | undefined;
  secrets: SecretBox;
  publicUrl: string;
}

/**
 * Creates an email send through the messaging core (outbox, idempotency key and delivery job in
 * one transaction; consent, cap and quiet hours at send time) from the workspace's sender. Each
 * recipient's mail is rendered (Liquid) and its links tracked before the outbox is written.
 */
export async function createEmailSend(
  db: Kysely<DB>,
  deps: EmailSendDeps,
  workspaceId: string,
  input: EmailSendInput,
): Promise<SendView> {
  const sender = await db
    .selectFrom('email_sender')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!sender) throw notFound('email sender (PUT /v1/email/sender first)');
  const { content, kind } = await contentOf(db, workspaceId, input);
  // A repeated create returns the first send: its links and renders must not be made again.
  const existing = await findSendId(db, workspaceId, 'email', input.idempotencyKey);
  if (existing !== undefined) return getEmailSend(db, workspaceId, existing);
  const origin = input.origin ?? 'api';
  const audience = await personalizeEmail(db, deps.secrets, workspaceId, content, input.customerIds, {
    origin,
    marketing: kind === 'marketing',
    linkBase: deps.publicUrl,
  });
  return createSend(db, deps.jobs, emailAdapter, workspaceId, {
    channelId: sender.id,
    messages: [content],
    ...audience,
    idempotencyKey: input.idempotencyKey,
    kind,
    ...(input.origin ? { origin: input.origin } : {}),
    ...(input.quietHours ? { quietHours: input.quietHours } : {}),
  });
}

export function getEmailSend(db: Kysely<DB>, workspaceId: string, sendId: number): Promise<SendView> {
  return getSend(db, workspaceId, sendId, 'email');
}

export interface EmailMessageStatus {
  seq: number;
  customerId: number;
  address: string | null;
  status: MessageStatus;
  reason: string | null;
  /** Estimated: Apple Mail Privacy Protection loads the pixel whether or not the mail is read. */
  opened: boolean;
  /** A bounce or complaint recorded for the message, if any. */
  feedback: string | null;
}

/** Each recipient's decision with its address, and what came back (open, bounce, complaint). */
export async function listEmailMessages(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<EmailMessageStatus[]> {
  const decisions = await listSendDecisions(db, workspaceId, sendId, { ...options, channel: 'email' });
  const events = decisions.length
    ? await db
        .selectFrom('email_event')
        .select(['seq', 'kind'])
        .where('workspace_id', '=', workspaceId)
        .where('send_id', '=', sendId)
        .where(
          'seq',
          'in',
          decisions.map((d) => d.seq),
        )
        .orderBy('id')
        .execute()
    : [];
  return decisions.map((d) => {
    const mine = events.filter((e) => e.seq === d.seq);
    return {
      seq: d.seq,
      customerId: d.customerId,
      address: d.address,
      status: d.status,
      reason: d.reason,
      opened: mine.some((e) => e.kind === 'open'),
      feedback: mine.find((e) => e.kind !== 'open')?.kind ?? null,
    };
  });
}
