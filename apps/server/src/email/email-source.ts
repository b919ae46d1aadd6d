// Where a journey step's or a campaign variant's mail comes from: a saved template (by id) or
// inline MJML with a subject. Checked when the journey or campaign is saved (the template exists,
// the workspace has a sender, the Liquid renders, the MJML compiles), loaded when it sends.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { DomainError, type FieldProblem } from '../shared/domain-error.ts';
import { compileContent } from '../templates/render-content.ts';
import type { EmailContent } from './compose.ts';
import { checkEmailLiquid } from './email-liquid.ts';
import type { EmailKind } from './email-tables.ts';
import { compileMjml } from './templates.ts';

/** A saved template (`/v1/email/templates`), or a subject and MJML written in place. */
export type EmailSource = { templateId: number } | { subject: string; mjml: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Inline MJML is limited like a template's (and a definition stays a reasonable JSON document). */
export const MAX_INLINE_MJML = 100_000;

/** The shape of an email source, every problem named under `path` (no database). */
export function checkEmailSourceShape(value: unknown, path: string, problems: FieldProblem[]): void {
  if (!isObj(value)) {
    problems.push({ path, message: 'must be { "templateId": n } or { "subject": "…", "mjml": "…" }' });
    return;
  }
  if ('templateId' in value) {
    const id = value.templateId;
    if (!(typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= Number.MAX_SAFE_INTEGER))
      problems.push({ path: `${path}.templateId`, message: 'must be an email template id (an integer ≥ 1)' });
    if ('subject' in value || 'mjml' in value)
      problems.push({ path, message: 'give either "templateId" or "subject" with "mjml", not both' });
    return;
  }
  const { subject, mjml } = value;
  if (typeof subject !== 'string' || !subject.trim() || [...subject].length > 300)
    problems.push({ path: `${path}.subject`, message: 'must be 1 to 300 characters' });
  else if (/[\r\n]/.test(subject)) problems.push({ path: `${path}.subject`, message: 'must be one line' });
  if (typeof mjml !== 'string' || !mjml.trim() || mjml.length > MAX_INLINE_MJML)
    problems.push({
      path: `${path}.mjml`,
      message: `must be an MJML document of 1 to ${MAX_INLINE_MJML} characters`,
    });
}

/** The workspace's sender id (a send's `channel_id`), or null when none is configured. */
export async function emailSenderId(db: Kysely<DB>, workspaceId: string): Promise<string | null> {
  const row = await db
    .selectFrom('email_sender')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row?.id ?? null;
}

async function problemsOf(run: () => Promise<unknown>): Promise<FieldProblem[]> {
  try {
    await run();
    return [];
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid') return error.problems;
    throw error;
  }
}

/**
 * Save-time check of a (well-shaped) source, problems named under `path`: a template that is not
 * the workspace's (`nodes[3].email.templateId: no email template 9 in this workspace`), inline
 * Liquid that does not render for the sample customers, MJML that does not compile.
 */
export async function checkEmailSource(
  db: Kysely<DB>,
  workspaceId: string,
  source: EmailSource,
  path: string,
): Promise<FieldProblem[]> {
  if ('templateId' in source) {
    const row = await db
      .selectFrom('email_template')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', source.templateId)
      .executeTakeFirst();
    return row
      ? []
      : [
          {
            path: `${path}.templateId`,
            message: `no email template ${source.templateId} in this workspace (メールテンプレートがありません)`,
          },
        ];
  }
  const liquid = await problemsOf(() =>
    checkEmailLiquid(db, workspaceId, { [`${path}.subject`]: source.subject, [`${path}.mjml`]: source.mjml }),
  );
  let parts: { html: string; text: string } | undefined;
  const mjml = await problemsOf(async () => {
    parts = await compileMjml(source.mjml);
  });
  const problems = [...liquid, ...mjml.map((p) => ({ ...p, path: `${path}.mjml` }))];
  if (parts && !problems.length)
    // Liquid goes through MJML as text: a tag MJML moved or escaped is caught here, as for templates.
    for (const p of [
      ...compileContent({ html: parts.html }, '', { html: true }).problems,
      ...compileContent({ text: parts.text }, '').problems,
    ])
      problems.push({ path: `${path}.mjml`, message: `after MJML compilation, ${p.path}: ${p.reason}` });
  return problems;
}

// Compiling MJML takes milliseconds; a journey's inline mail is compiled once per process, not per batch.
const compiled = new Map<string, Promise<{ html: string; text: string }>>();
const MAX_CACHED = 50;

function compileCached(mjml: string): Promise<{ html: string; text: string }> {
  let hit = compiled.get(mjml);
  if (!hit) {
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
    hit = compileMjml(mjml);
    hit.catch(() => compiled.delete(mjml));
    compiled.set(mjml, hit);
  }
  return hit;
}

/**
 * The mail a source sends (the template's subject and compiled parts as they are now, or the
 * inline MJML compiled), with its kind: the template's, or marketing for inline mail. Null when
 * the template has been deleted since the source was saved.
 */
export async function loadEmailSource(
  db: Kysely<DB>,
  workspaceId: string,
  source: EmailSource,
): Promise<{ content: EmailContent; kind: EmailKind } | null> {
  if (!('templateId' in source)) {
    const { html, text } = await compileCached(source.mjml);
    return { content: { type: 'email', subject: source.subject, html, text }, kind: 'marketing' };
  }
  const t = await db
    .selectFrom('email_template')
    .select(['id', 'subject', 'html', 'text', 'kind'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', source.templateId)
    .executeTakeFirst();
  if (!t) return null;
  return {
    content: { type: 'email', subject: t.subject, html: t.html, text: t.text, templateId: t.id },
    kind: t.kind,
  };
}
