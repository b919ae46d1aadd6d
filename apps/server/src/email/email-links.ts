// Click tracking for email: every http(s) link of a marketing mail's HTML part (an <a> or <area>
// href) and of its text part goes through the same signed redirect as LINE links (clicks/:
// `/r/<token>`, one tracked link per URL and origin, one token per customer). The unsubscribe
// link and the open pixel are added later, by composeEmail, so they are never rewritten: an
// unsubscribe must not depend on the redirect, and a pixel is not a click.
import type { Kysely } from 'kysely';
import { trackClicks } from '../clicks/track-links.ts';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import type { EmailContent } from './compose.ts';

/** An anchor's href: group 1 the text before the URL, 2 the quote, 3 the URL (HTML-encoded). */
const HREF = /(<(?:a|area)\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"'\s]+)\2/gi;
/**
 * URLs in the text part, up to whitespace, a quote, a bracket (the text part spells a link as
 * "label (url)"), the closing brackets or the punctuation (、。) Japanese text puts after a URL.
 */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'()（）「」『』【】、。]+/g;

const decodeHref = (url: string) =>
  url
    .replace(/&amp;/gi, '&')
    .replace(/&#38;/g, '&')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;/g, "'");

/** Calls `visit` on each link of the mail (the decoded URL), replacing it with what it returns. */
export function rewriteEmailLinks(content: EmailContent, visit: (url: string) => string): EmailContent {
  return {
    ...content,
    html: content.html.replace(
      HREF,
      (_m, before: string, quote: string, url: string) =>
        `${before}${quote}${visit(decodeHref(url))}${quote}`,
    ),
    text: content.text.replace(URL_IN_TEXT, (u) => visit(u)),
  };
}

/**
 * Each customer's mail with its links through `<linkBase>/r/<token>`, the tracked links stored
 * under `origin` (set-based: one statement for all the URLs of the send). Mails without links
 * come back as they were (the same objects), so the caller can tell nothing changed.
 */
export function trackEmailClicks(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  origin: string,
  linkBase: string,
  rendered: { customerId: number; content: EmailContent }[],
): Promise<{ customerId: number; content: EmailContent }[]> {
  return trackClicks(db, secrets, { workspaceId, origin, linkBase }, rendered, rewriteEmailLinks);
}
