// Liquid in email, shared with LINE (templates/): `{{ customer.given_name }}様`, points, tier,
// coupon and recommendations in the subject, the HTML part and the text part. The HTML part is
// compiled with HTML escaping (a customer's name cannot inject markup); subject and text are not.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { invalid } from '../shared/domain-error.ts';
import {
  type CompiledContent,
  ContentRenderError,
  compileContent,
  renderContent,
} from '../templates/render-content.ts';
import { type CustomerVariables, loadTemplateVariables } from '../templates/template-variables.ts';
import { usesRecommendations, validateContents } from '../templates/validate-content.ts';
import type { EmailContent } from './compose.ts';

/** Recommendations an email renders from (a newsletter shows a few; five is the shared default). */
export const EMAIL_RECOMMENDATIONS = { limit: 5 } as const;

/**
 * Compiles the three parts of a mail as one piece of content (fields `subject`, `html`, `text`
 * under `base`); a syntax error is `invalid` naming the field, the Liquid line and column.
 */
export function compileEmailContent(content: EmailContent, base = ''): CompiledContent {
  const { html, ...plain } = content;
  const a = compileContent(plain, base);
  const b = compileContent({ html }, base, { html: true });
  const problems = [...a.problems, ...b.problems];
  if (problems.length)
    throw invalid(
      problems.map((p) => ({
        path: p.path,
        message: `Liquid line ${p.line}, column ${p.column}: ${p.reason} (syntax)`,
      })),
    );
  return { content, fields: [...a.compiled.fields, ...b.compiled.fields] };
}

/** Up to five of the workspace's customers, to render a template for when it is saved. */
export async function sampleCustomerIds(db: Kysely<DB>, workspaceId: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from customer where workspace_id = ${workspaceId} and merged_into_id is null
    order by id limit 5`.execute(db);
  return rows.map((r) => Number(r.id));
}

/**
 * Save-time check of Liquid in an email: each field (`subject`, `mjml`, or a send's
 * `content.html`) is parsed and rendered for the synthetic customers and a few real ones; every
 * failing field is listed with the Liquid line and column (`mjml: Liquid line 12, column 9:
 * undefined variable: customer.givn_name (synthetic customer 1)`).
 */
export async function checkEmailLiquid(
  db: Kysely<DB>,
  workspaceId: string,
  fields: Record<string, string>,
): Promise<void> {
  const contents = Object.entries(fields).map(([base, content]) => ({ base, content }));
  if (!contents.some((c) => c.content.includes('{{') || c.content.includes('{%'))) return;
  await validateContents(db, workspaceId, contents, await sampleCustomerIds(db, workspaceId), {
    recommendations: EMAIL_RECOMMENDATIONS,
  });
}

/** The mail as one customer gets it; a customer not in the workspace is `not found`. */
export async function renderEmailFor(
  db: Kysely<DB>,
  workspaceId: string,
  content: EmailContent,
  customerId: number,
): Promise<EmailContent> {
  const compiled = compileEmailContent(content);
  if (!compiled.fields.length) return content;
  const vars = await loadTemplateVariables(db, workspaceId, [customerId], {
    recommendations: usesRecommendations(content) ? EMAIL_RECOMMENDATIONS : false,
  });
  const v = vars.get(customerId);
  if (!v) throw invalid([{ path: 'customerId', message: 'not a customer of this workspace' }]);
  return renderCompiled(compiled, v);
}

/** The mail rendered with given variables (the editor's sample customer, who is no row). */
export async function renderEmailWith(
  content: EmailContent,
  variables: CustomerVariables,
): Promise<EmailContent> {
  const compiled = compileEmailContent(content);
  return compiled.fields.length ? renderCompiled(compiled, variables) : content;
}

async function renderCompiled(
  compiled: CompiledContent,
  variables: CustomerVariables,
): Promise<EmailContent> {
  try {
    return (await renderContent(compiled, variables)) as EmailContent;
  } catch (error) {
    if (!(error instanceof ContentRenderError)) throw error;
    const { path, line, column, reason } = error.problem;
    throw invalid([{ path, message: `Liquid line ${line}, column ${column}: ${reason}` }]);
  }
}
