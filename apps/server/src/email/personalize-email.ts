// An email send's content for each recipient: Liquid rendered per customer (variables loaded for
// the whole audience in a few statements, templates/) and, in marketing mail, every link turned
// into a signed click redirect (email-links.ts). What createEmailSend hands the messaging core.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { renderForAudience } from '../templates/render-audience.ts';
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
  const compiled = compileEmailContent(content);
  const out = await renderForAudience(db, workspaceId, compiled, customerIds, {
    recommendations: EMAIL_RECOMMENDATIONS,
  });
  const problems: FieldProblem[] = [];
  const failed = new Map(out.failed.map((f) => [f.customerId, f.problem]));
  const rendered = new Set(out.rendered.map((r) => r.customerId));
  for (const [i, id] of customerIds.entries()) {
    const p = failed.get(id);
    if (p)
      problems.push({
        path: `customerIds[${i}]`,
        message: `${p.path}: Liquid line ${p.line}, column ${p.column}: ${p.reason}`,
      });
    // Left out by the render (not this workspace's, or merged away): the core would say the same.
    else if (!rendered.has(id))
      problems.push({ path: `customerIds[${i}]`, message: 'not a customer of this workspace' });
  }
  if (problems.length) throw invalid(problems.slice(0, 20));
  const mails = out.rendered as { customerId: number; content: EmailContent }[];
  const tracked = options.marketing
    ? await trackEmailClicks(db, secrets, workspaceId, options.origin, options.linkBase, mails)
    : mails;
  if (compiled.fields.length === 0 && tracked === mails) return { customerIds: [...customerIds] };
  return {
    customerIds: [],
    personalized: tracked.map((r) => ({ customerId: r.customerId, messages: [r.content] })),
  };
}
