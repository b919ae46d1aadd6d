// Putting click tracking into sent content. Channel-neutral at the core (`trackedLinks` stores
// the URLs a message carries, `redirectUrl` makes a customer's signed link); `rewriteLineLinks`
// knows where LINE messages carry URLs. Email will add its own rewriter over the same core.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { linkKey, signLinkToken } from './link-token.ts';

/** URLs in text: http(s) up to whitespace or a closing bracket Japanese text puts after them. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'）」』】]+/g;

/** Calls `visit` on each URL a LINE message list carries, replacing it with what it returns. */
export function rewriteLineLinks(messages: unknown, visit: (url: string) => string): unknown {
  const walk = (
    node: unknown,
    key: string | undefined,
    parent: Record<string, unknown> | undefined,
  ): unknown => {
    if (typeof node === 'string') {
      // An action's uri (buttons, flex, imagemap, quick reply) and a flex action's altUri.desktop.
      if ((key === 'uri' || key === 'linkUri' || key === 'desktop') && /^https?:\/\//.test(node))
        return visit(node);
      if (key === 'text' && parent?.type === 'text') return node.replace(URL_IN_TEXT, (u) => visit(u));
      return node;
    }
    if (Array.isArray(node)) return node.map((n) => walk(n, undefined, undefined));
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, walk(v, k, obj)]));
    }
    return node;
  };
  return walk(messages, undefined, undefined);
}

/** Each URL's tracked link id for `origin` (a send's origin), stored once (set-based). */
export async function trackedLinks(
  db: Kysely<DB>,
  workspaceId: string,
  origin: string,
  urls: readonly string[],
): Promise<Map<string, number>> {
  const distinct = [...new Set(urls)];
  if (!distinct.length) return new Map();
  await sql`insert into tracked_link (workspace_id, origin, url)
    select ${workspaceId}::uuid, ${origin}, u from unnest(${distinct}::text[]) u
    on conflict (workspace_id, origin, url) do nothing`.execute(db);
  const { rows } = await sql<{ id: number; url: string }>`
    select id, url from tracked_link
    where workspace_id = ${workspaceId} and origin = ${origin} and url = any(${distinct}::text[])`.execute(
    db,
  );
  return new Map(rows.map((r) => [r.url, Number(r.id)]));
}

/**
 * Rewrites every customer's content so each URL goes through `<linkBase>/r/<token>`, with the
 * channel's `rewrite` (it calls `visit` on each URL and puts back what it returns). Two passes:
 * collect the URLs (they may differ per customer after Liquid), store them in one statement,
 * rewrite. Content without links comes back as it was (the same array).
 */
export async function trackClicks<C>(
  db: Kysely<DB>,
  secrets: SecretBox,
  target: { workspaceId: string; origin: string; linkBase: string },
  rendered: { customerId: number; content: C }[],
  rewrite: (content: C, visit: (url: string) => string) => C,
): Promise<{ customerId: number; content: C }[]> {
  const { workspaceId, origin } = target;
  const urls: string[] = [];
  for (const r of rendered)
    rewrite(r.content, (u) => {
      urls.push(u);
      return u;
    });
  if (!urls.length) return rendered;
  const ids = await trackedLinks(db, workspaceId, origin, urls);
  const key = await linkKey(db, secrets, workspaceId);
  const base = target.linkBase.replace(/\/+$/, '');
  return rendered.map((r) => ({
    customerId: r.customerId,
    content: rewrite(r.content, (u) => {
      const linkId = ids.get(u)!;
      return `${base}/r/${signLinkToken(key, { workspaceId, linkId, customerId: r.customerId })}`;
    }),
  }));
}

/** trackClicks for LINE message content. */
export function trackLineClicks(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  origin: string,
  linkBase: string,
  rendered: { customerId: number; content: unknown }[],
): Promise<{ customerId: number; content: unknown }[]> {
  return trackClicks(db, secrets, { workspaceId, origin, linkBase }, rendered, rewriteLineLinks);
}
