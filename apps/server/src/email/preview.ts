// A template as one customer would get it.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notFound } from '../shared/domain-error.ts';
import { marketingFooter } from './compose.ts';
import { renderEmailFor } from './email-liquid.ts';
import { openSender } from './sender.ts';
import { getTemplate } from './templates.ts';

/**
 * Renders template `id` for a customer: their address (lowest email identity, as a send picks
 * it) and, for marketing mail, the specified-mail footer with a sample unsubscribe link (a real
 * one names a message, which a preview does not have), with its Liquid rendered for them (their
 * name, points, tier, coupon and recommendations). Links are shown as written: a preview makes no
 * tracked links.
 */
export async function previewTemplate(
  db: Kysely<DB>,
  secrets: Parameters<typeof openSender>[1],
  publicUrl: string,
  workspaceId: string,
  id: number,
  customerId: number,
): Promise<{ to: string | null; subject: string; html: string; text: string }> {
  const template = await getTemplate(db, workspaceId, id);
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
  const mail = await renderEmailFor(
    db,
    workspaceId,
    { type: 'email', subject: template.subject, html: template.html, text: template.text },
    customerId,
  );
  let { html, text } = mail;
  const sender = template.kind === 'marketing' ? await openSender(db, secrets, workspaceId) : undefined;
  if (sender) {
    const footer = marketingFooter(sender, `${publicUrl}/u/PREVIEW`);
    const at = html.toLowerCase().lastIndexOf('</body>');
    html = at < 0 ? html + footer.html : html.slice(0, at) + footer.html + html.slice(at);
    text += footer.text;
  }
  return { to: customer.value ?? null, subject: mail.subject, html, text };
}
