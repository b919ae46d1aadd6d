// Email templates in MJML: compiled when saved (a template that does not compile is refused with
// the line and reason), stored with their responsive HTML and a generated plain-text part.

import type { Kysely } from 'kysely';
import mjml2html from 'mjml';
import type { DB } from '../db/schema.ts';
import {
  DomainError,
  type FieldProblem,
  invalid,
  notFound,
  pgErrorCode,
  UNIQUE_VIOLATION,
} from '../shared/domain-error.ts';
import { compileContent } from '../templates/render-content.ts';
import { checkEmailLiquid } from './email-liquid.ts';
import type { EmailKind } from './email-tables.ts';
import { htmlToText } from './html-to-text.ts';

export interface TemplateInput {
  name: string;
  subject: string;
  mjml: string;
  kind?: EmailKind;
}

export interface TemplateView {
  id: number;
  name: string;
  subject: string;
  kind: EmailKind;
  mjml: string;
  html: string;
  text: string;
  updatedAt: string;
}

/**
 * Compiles MJML strictly. Problems name the line: `mjml: line 4: Element mj-colum doesn't exist
 * or is not registered`; markup MJML cannot parse at all comes back as one problem with its reason.
 */
export async function compileMjml(source: string): Promise<{ html: string; text: string }> {
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    // mjml 5 returns a promise; strict validation throws with every problem and its line.
    result = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
  } catch (error) {
    const errors = (error as { errors?: { line?: number; message?: string }[] }).errors;
    const problems: FieldProblem[] = errors?.length
      ? errors
          .slice(0, 20)
          .map((e) => ({ path: 'mjml', message: `line ${e.line ?? '?'}: ${e.message ?? 'invalid'}` }))
      : [{ path: 'mjml', message: (error as Error).message.split('\n')[0]!.slice(0, 300) }];
    throw invalid(problems);
  }
  if (!/<mj-body/i.test(source))
    throw invalid([{ path: 'mjml', message: 'line 1: must be an <mjml> document with an <mj-body>' }]);
  return { html: result.html, text: htmlToText(result.html) };
}

function checkTemplate(input: TemplateInput): void {
  const problems: FieldProblem[] = [];
  if (!input.name.trim() || input.name.length > 200)
    problems.push({ path: 'name', message: 'must be 1 to 200 characters' });
  if (!input.subject.trim() || [...input.subject].length > 300)
    problems.push({ path: 'subject', message: 'must be 1 to 300 characters' });
  else if (/[\r\n]/.test(input.subject)) problems.push({ path: 'subject', message: 'must be one line' });
  if (problems.length) throw invalid(problems);
}

/** The problems of an `invalid` error, so that Liquid and MJML problems are reported together. */
async function problemsOf<T>(run: () => Promise<T>): Promise<{ value?: T; problems: FieldProblem[] }> {
  try {
    return { value: await run(), problems: [] };
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid') return { problems: error.problems };
    throw error;
  }
}

/**
 * Liquid (`subject`, `mjml`: line and column in the MJML source) and MJML (its line) checked
 * together, every problem listed. Liquid goes through MJML as text, so the compiled parts are
 * parsed again: a tag MJML moved or escaped (Liquid between `<mj-column>` elements rather than
 * inside `<mj-text>`) is refused here rather than at send time.
 */
async function checkContent(
  db: Kysely<DB>,
  workspaceId: string,
  input: TemplateInput,
): Promise<{ html: string; text: string }> {
  const liquid = await problemsOf(() =>
    checkEmailLiquid(db, workspaceId, { subject: input.subject, mjml: input.mjml }),
  );
  const mjml = await problemsOf(() => compileMjml(input.mjml));
  const problems = [...liquid.problems, ...mjml.problems];
  if (mjml.value && !problems.length) {
    const { html, text } = mjml.value;
    for (const p of [
      ...compileContent({ html }, '', { html: true }).problems,
      ...compileContent({ text }, '').problems,
    ])
      problems.push({ path: 'mjml', message: `after MJML compilation, ${p.path}: ${p.reason}` });
  }
  if (problems.length || !mjml.value) throw invalid(problems);
  return mjml.value;
}

function view(row: {
  id: number;
  name: string;
  subject: string;
  kind: EmailKind;
  mjml: string;
  html: string;
  text: string;
  updated_at: Date;
}): TemplateView {
  const { updated_at, ...rest } = row;
  return { ...rest, updatedAt: updated_at.toISOString() };
}

const COLUMNS = ['id', 'name', 'subject', 'kind', 'mjml', 'html', 'text', 'updated_at'] as const;

/**
 * A template's compiled HTML and text parts, after every check a save makes (name, subject,
 * Liquid, MJML); refused as `invalid` naming each field. The editor's preview runs it on unsaved
 * input, so what it shows is what a save would accept.
 */
export async function compileTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  input: TemplateInput,
): Promise<{ html: string; text: string }> {
  checkTemplate(input);
  return checkContent(db, workspaceId, input);
}

/** Saves a new template, or replaces template `id`; a name already used is `conflict`. */
export async function saveTemplate(
  db: Kysely<DB>,
  workspaceId: string,
  input: TemplateInput,
  now: Date,
  id?: number,
): Promise<TemplateView> {
  const compiled = await compileTemplate(db, workspaceId, input);
  const values = {
    name: input.name.trim(),
    subject: input.subject,
    mjml: input.mjml,
    ...compiled,
    kind: input.kind ?? 'marketing',
    updated_at: now,
  };
  const write =
    id === undefined
      ? db
          .insertInto('email_template')
          .values({ workspace_id: workspaceId, ...values, created_at: now })
          .returning(COLUMNS)
          .executeTakeFirstOrThrow()
      : db
          .updateTable('email_template')
          .set(values)
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .returning(COLUMNS)
          .executeTakeFirst();
  const row = await write.catch((error: unknown) => {
    // unique (workspace_id, name): a second template of the same name is the caller's to rename.
    if (pgErrorCode(error) !== UNIQUE_VIOLATION) throw error;
    const problem = { path: 'name', message: 'another template has this name' };
    throw new DomainError('conflict', `${problem.path}: ${problem.message}`, [problem]);
  });
  if (!row) throw notFound('email template');
  return view(row);
}

export async function getTemplate(db: Kysely<DB>, workspaceId: string, id: number): Promise<TemplateView> {
  const row = await db
    .selectFrom('email_template')
    .select(COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('email template');
  return view(row);
}

export async function listTemplates(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<Omit<TemplateView, 'mjml' | 'html' | 'text'>[]> {
  const rows = await db
    .selectFrom('email_template')
    .select(['id', 'name', 'subject', 'kind', 'updated_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(1000)
    .execute();
  return rows.map(({ updated_at, ...r }) => ({ ...r, updatedAt: updated_at.toISOString() }));
}
