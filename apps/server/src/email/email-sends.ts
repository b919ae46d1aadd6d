// Email sends: the messaging core's sends with the email adapter, from a template or given content.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { createSend } from '../messaging/create-send.ts';
import type { MessageStatus } from '../messaging/decisions.ts';
import { getSend, listSendDecisions, type SendView } from '../messaging/send-status.ts';
import type { QuietHoursChoice, SendKind } from '../messaging/send-tables.ts';
import { invalid, notFound } from '../shared/domain-error.ts';
import type { EmailContent } from './compose.ts';
import { emailAdapter } from './email-adapter.ts';

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
  if (input.content) return { content: { type: 'email', ...input.content }, kind: input.kind ?? 'marketing' };
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

/**
 * Creates an email send through the messaging core (outbox, idempotency key and delivery job in
 * one transaction; consent, cap and quiet hours at send time) from the workspace's sender.
 */
export async function createEmailSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
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
  return createSend(db, jobs, emailAdapter, workspaceId, {
    channelId: sender.id,
    messages: [content],
    customerIds: input.customerIds,
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
