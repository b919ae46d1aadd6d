// An email send's content for each recipient: Liquid rendered per customer (variables loaded for
// the whole audience in a few statements, templates/) and, in marketing mail, every link turned
// into a signed click redirect (email-links.ts). What createEmailSend hands the messaging core.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { renderForAudience } from '../templates/render-audience.ts';
import type { ContentProblem } from '../templates/render-content.ts';
import type { EmailContent } from './compose.ts';
import { trackEmailClicks } from './email-links.ts';
import { compileEmailContent, EMAIL_RECOMMENDATIONS } from './email-liquid.ts';

export interface PersonalizeEmailOptions {
  /** The send's origin: its clicks are recorded under it. */
  origin: string;
  /** Marketing mail has its links tracked; transactional mail (an order confirmation) does not. */
  marketing: boolean;
  /** The public URL redirects start with. */
  linkBase: string;
}

/** The core's shared `customerIds` when nothing varies, else each customer's own mail. */
export interface PersonalizedEmail {
  customerIds: number[];
  personalized?: { customerId: number; messages: EmailContent[] }[];
}

/** Each customer's mail, and the customers whose mail did not render (with the problem). */
export interface EmailAudience extends PersonalizedEmail {
  failed: ({ customerId: number } & ContentProblem)[];
  /** Customer ids the render left out: not this workspace's, or merged away. */
  missing: number[];
}

type RenderOptions = PersonalizeEmailOptions & { couponTemplateId?: number | undefined };

/** Renders the mail for every customer (variables loaded set-based); no link is stored yet. */
async function renderMails(
  db: Kysely<DB>,
  workspaceId: string,
  content: EmailContent,
  customerIds: readonly number[],
  options: RenderOptions,
) {
  const compiled = compileEmailContent(content);
  const out = await renderForAudience(db, workspaceId, compiled, customerIds, {
    recommendations: EMAIL_RECOMMENDATIONS,
    ...(options.couponTemplateId !== undefined ? { couponTemplateId: options.couponTemplateId } : {}),
  });
  const failed = out.failed.map((f) => ({ customerId: f.customerId, ...f.problem }));
  const seen = new Set([...out.rendered, ...out.failed].map((r) => r.customerId));
  const missing = customerIds.filter((id) => !seen.has(id));
  const mails = out.rendered as { customerId: number; content: EmailContent }[];
  return { varies: compiled.fields.length > 0, mails, failed, missing };
}

/** Marketing mail's links through the redirect; the core's shared ids when nothing varies. */
async function withTrackedLinks(
  db: Kysely<DB>,
  secrets: SecretBox | undefined,
  workspaceId: string,
  rendered: { varies: boolean; mails: { customerId: number; content: EmailContent }[] },
  options: RenderOptions,
): Promise<PersonalizedEmail> {
  const { mails } = rendered;
  const tracked =
    options.marketing && secrets
      ? await trackEmailClicks(db, secrets, workspaceId, options.origin, options.linkBase, mails)
      : mails;
  if (!rendered.varies && tracked === mails) return { customerIds: mails.map((m) => m.customerId) };
  return {
    customerIds: [],
    personalized: tracked.map((r) => ({ customerId: r.customerId, messages: [r.content] })),
  };
}

/**
 * Renders `content` for `customerIds` without failing the whole send: customers whose mail does
 * not render come back in `failed` (a journey step records them as `render_failed`, a campaign
 * recipient the same), customers not in the workspace in `missing`; the others' mail is what the
 * messaging core gets. Links of marketing mail are tracked (one statement for the send's URLs)
 * when `secrets` open the workspace's link key; without them links stay as written.
 */
export async function renderEmailAudience(
  db: Kysely<DB>,
  secrets: SecretBox | undefined,
  workspaceId: string,
  content: EmailContent,
  customerIds: readonly number[],
  options: RenderOptions,
): Promise<EmailAudience> {
  const rendered = await renderMails(db, workspaceId, content, customerIds, options);
  const audience = await withTrackedLinks(db, secrets, workspaceId, rendered, options);
  return { ...audience, failed: rendered.failed, missing: rendered.missing };
}

/**
 * Renders `content` for `customerIds`. A customer id not in the workspace, or a customer whose
 * mail does not render (rare: templates are checked when saved), is `invalid` naming
 * `customerIds[i]`, and nothing is sent: a send is all or nothing.
 */
export async function personalizeEmail(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  content: EmailContent,
  customerIds: readonly number[],
  options: PersonalizeEmailOptions,
): Promise<PersonalizedEmail> {
  const rendered = await renderMails(db, workspaceId, content, customerIds, options);
  const failed = new Map(rendered.failed.map((f) => [f.customerId, f]));
  const missing = new Set(rendered.missing);
  const problems: FieldProblem[] = [];
  for (const [i, id] of customerIds.entries()) {
    const p = failed.get(id);
    if (p)
      problems.push({
        path: `customerIds[${i}]`,
        message: `${p.path}: Liquid line ${p.line}, column ${p.column}: ${p.reason}`,
      });
    // Left out by the render (not this workspace's, or merged away): the core would say the same.
    else if (missing.has(id))
      problems.push({ path: `customerIds[${i}]`, message: 'not a customer of this workspace' });
  }
  if (problems.length) throw invalid(problems.slice(0, 20));
  return withTrackedLinks(db, secrets, workspaceId, rendered, options);
}
