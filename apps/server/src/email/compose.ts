// One email as it goes on the wire: headers (Message-ID, List-Unsubscribe, Feedback-ID), the
// VERP return path, the specified-mail footer, the open pixel and the DKIM signing options.
import type { KeyObject } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import { type MessageRef, signMessageToken } from './message-token.ts';
import type { OpenSender } from './sender.ts';

/** The content of an email send: what `messages[0]` holds (rendered from a template or given). */
export interface EmailContent {
  type: 'email';
  subject: string;
  html: string;
  text: string;
  templateId?: number;
}

export interface ComposeInput {
  sender: OpenSender;
  ref: MessageRef;
  to: string;
  content: EmailContent;
  /** The request's retry key, committed before the SMTP transaction: the Message-ID's left part. */
  retryKey: string;
  marketing: boolean;
  /** The send's origin ('campaign:12', 'journey:3/step:2'): the Feedback-ID's campaign part. */
  origin: string;
  publicUrl: string;
  /**
   * The sender's DKIM key parsed once (`createPrivateKey`) for a whole send: signing with the PEM
   * text parses it again for every message, which costs more than the RSA signature itself.
   */
  dkimKey?: KeyObject;
}

/** The headers DKIM signs: the ones a receiver shows or acts on, List-Unsubscribe* (RFC 8058 §3) included. */
export const DKIM_SIGNED_HEADERS =
  'from:to:subject:date:message-id:reply-to:list-unsubscribe:list-unsubscribe-post:mime-version:content-type';

/** The Message-ID of a request: derived from its stored retry key, so every retry carries the same one. */
export function messageIdOf(retryKey: string, sender: Pick<OpenSender, 'fromAddress'>): string {
  return `<${retryKey}@${sender.fromAddress.slice(sender.fromAddress.lastIndexOf('@') + 1)}>`;
}

/** The VERP return path: a bounce to it names the message it is about. */
export function returnPath(sender: OpenSender, ref: MessageRef): string {
  return `bounce+${signMessageToken(sender.tokenKey, 'b', ref)}@${sender.returnDomain}`;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The footer the specified e-mail act (特定電子メール法) requires in every advertising mail: the
 * sender's name and address, a contact for complaints, the fact that mail can be refused and
 * how. Japanese first, English after.
 */
export function marketingFooter(sender: OpenSender, unsubscribe: string): { html: string; text: string } {
  const lines = [
    `配信元 / Sender: ${sender.fromName}`,
    `住所 / Address: ${sender.postalAddress}`,
    `お問い合わせ / Contact: ${sender.contact}`,
    '今後のメール配信を希望されない場合は、こちらから配信停止できます。',
    'You can stop receiving these emails here:',
  ];
  const text = `\n\n--\n${lines.join('\n')}\n${unsubscribe}\n`;
  const html =
    `<div style="margin-top:24px;padding-top:12px;border-top:1px solid #ddd;font-size:12px;color:#666;line-height:1.6">` +
    `${lines.map(escapeHtml).join('<br>')}<br><a href="${escapeHtml(unsubscribe)}">配信停止 / Unsubscribe</a></div>`;
  return { html, text };
}

function withBeforeBodyEnd(html: string, insert: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at < 0 ? html + insert : html.slice(0, at) + insert + html.slice(at);
}

/**
 * The nodemailer options for one message. Marketing mail gets the footer, List-Unsubscribe (an
 * https URL and a mailto) with List-Unsubscribe-Post, and the open pixel; transactional mail none
 * of them. Click tracking is not applied here: the channel-neutral redirect (`/r/:token`) belongs
 * to campaigns and rewrites links before content reaches the send.
 */
export function composeEmail(input: ComposeInput): SendMailOptions {
  const { sender, ref, content } = input;
  const domain = sender.fromAddress.slice(sender.fromAddress.lastIndexOf('@') + 1);
  const headers: Record<string, string> = {
    // Gmail's Feedback Loop groups complaints by these fields: campaign, send, workspace, sender id.
    'Feedback-ID': `${input.origin.replace(/[^A-Za-z0-9_-]/g, '-')}:${ref.sendId}:${ref.workspaceId.slice(0, 8)}:kizuna`,
  };
  let { html, text } = content;
  if (input.marketing) {
    // One unsubscribe token for the URL and the mailto (an HMAC each time it is made).
    const token = signMessageToken(sender.tokenKey, 'u', ref);
    const url = `${input.publicUrl}/u/${token}`;
    const mailto = `unsubscribe+${token}@${sender.returnDomain}`;
    headers['List-Unsubscribe'] = `<${url}>, <mailto:${mailto}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    const footer = marketingFooter(sender, url);
    const pixel = `<img src="${input.publicUrl}/o/${signMessageToken(sender.tokenKey, 'o', ref)}.gif" width="1" height="1" alt="" style="display:block;border:0">`;
    html = withBeforeBodyEnd(html, footer.html + pixel);
    text += footer.text;
  }
  return {
    from: { name: sender.fromName, address: sender.fromAddress },
    to: input.to,
    ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    subject: content.subject,
    html,
    text,
    messageId: messageIdOf(input.retryKey, sender),
    envelope: { from: returnPath(sender, ref), to: [input.to] },
    headers,
    dkim: {
      domainName: domain,
      keySelector: sender.dkimSelector,
      // nodemailer hands it to crypto's sign(), which takes a KeyObject as well as a PEM string.
      privateKey: (input.dkimKey ?? sender.dkimPrivateKey) as string,
      headerFieldNames: DKIM_SIGNED_HEADERS,
    },
  };
}
