// A template as one customer would get it: a saved template, or the editor's unsaved one.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import { SYNTHETIC_CUSTOMERS } from '../templates/template-variables.ts';
import { marketingFooter } from './compose.ts';
import { renderEmailFor, renderEmailWith } from './email-liquid.ts';
import type { EmailKind } from './email-tables.ts';
import { openSender } from './sender.ts';
import { compileTemplate, getTemplate, type TemplateInput } from './templates.ts';

type Secrets = Parameters<typeof openSender>[1];

export interface MailPreview {
  /** The customer's address; null: none (a send would skip them), or the sample customer. */
  to: string | null;
  subject: string;
  html: string;
  text: string;
}

/**
 * Who an unsaved template is shown for when no customer is picked: the save-time check's
 * synthetic customer who has everything (山田 花子, points, tier, a coupon, recommendations), so
 * every variable a template may use shows a value.
 */
const SAMPLE_CUSTOMER = SYNTHETIC_CUSTOMERS[1]!;

async function addressOf(db: Kysely<DB>, workspaceId: string, customerId: number): Promise<string | null> {
  const customer = await db
    .selectFrom('customer as c')
    .leftJoin('customer_identity as i', (j) =>
      j
        .onRef('i.workspace_id', '=', 'c.workspace_id')
        .onRef('i.customer_id', '=', 'c.id')
        .on('i.kind', '=', 'email'),
    )
    .select('i.value')
    .where('c.workspace_id', '=', workspaceId)
    .where('c.id', '=', customerId)
    .orderBy('i.value')
    .limit(1)
    .executeTakeFirst();
  if (!customer) throw notFound('customer');
  return customer.value ?? null;
}

/**
 * Compiled parts rendered for a customer (their address, their variables) or, without one, for
 * the sample customer; marketing mail gets the specified-mail footer with a sample unsubscribe
 * link (a real one names a message, which a preview does not have). Links are shown as written:
 * a preview makes no tracked links.
 */
async function previewMail(
  db: Kysely<DB>,
  secrets: Secrets,
  publicUrl: string,
  workspaceId: string,
  mail: { subject: string; html: string; text: string; kind: EmailKind },
  customerId: number | undefined,
): Promise<MailPreview> {
  const content = { type: 'email' as const, subject: mail.subject, html: mail.html, text: mail.text };
  const to = customerId === undefined ? null : await addressOf(db, workspaceId, customerId);
  const rendered =
    customerId === undefined
      ? await renderEmailWith(content, SAMPLE_CUSTOMER)
      : await renderEmailFor(db, workspaceId, content, customerId);
  let { html, text } = rendered;
  const sender = mail.kind === 'marketing' ? await openSender(db, secrets, workspaceId) : undefined;
  if (sender) {
    const footer = marketingFooter(sender, `${publicUrl}/u/PREVIEW`);
    const at = html.toLowerCase().lastIndexOf('</body>');
    html = at < 0 ? html + footer.html : html.slice(0, at) + footer.html + html.slice(at);
    text += footer.text;
  }
  return { to, subject: rendered.subject, html, text };
}

/** Renders saved template `id` for a customer (their name, points, tier, coupon and recommendations). */
export async function previewTemplate(
  db: Kysely<DB>,
  secrets: Secrets,
  publicUrl: string,
  workspaceId: string,
  id: number,
  customerId: number,
): Promise<MailPreview> {
  const template = await getTemplate(db, workspaceId, id);
  return previewMail(db, secrets, publicUrl, workspaceId, template, customerId);
}

/**
 * Renders an unsaved template (the console's editor): checked as a save checks it, so a problem
 * is refused naming its field (`mjml: Liquid line 3, column 9: undefined variable: …`) before
 * anything is rendered; then shown for the customer, or the sample customer when none is given.
 */
export async function previewDraft(
  db: Kysely<DB>,
  secrets: Secrets,
  publicUrl: string,
  workspaceId: string,
  input: TemplateInput & { customerId?: number | undefined },
): Promise<MailPreview> {
  const { customerId, ...template } = input;
  const compiled = await compileTemplate(db, workspaceId, template);
  const mail = { subject: template.subject, ...compiled, kind: template.kind ?? 'marketing' };
  return previewMail(db, secrets, publicUrl, workspaceId, mail, customerId);
}
