// Personalised journey messages: a send node's LINE messages may use Liquid
// (`{{ customer.given_name }}様`, points, tier, coupon, recommendations; see templates/README.md).
// They are checked when a version is saved, against a few of the workspace's customers and the
// synthetic ones, so a step never discovers a bad template while sending.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { trackLineClicks } from '../clicks/track-links.ts';
import type { DB } from '../db/schema.ts';
import { checkEmailSource, emailSenderId } from '../email/email-source.ts';
import { DomainError, type FieldProblem, invalid } from '../shared/domain-error.ts';
import { renderForAudience } from '../templates/render-audience.ts';
import { compileContent } from '../templates/render-content.ts';
import { validateContents } from '../templates/validate-content.ts';
import type { JourneyDefinition } from './definition.ts';
import type { NodeContext } from './node-context.ts';

/**
 * Throws `invalid` naming `nodes[2].messages[0].text` with the Liquid line, column and reason
 * when a send node's messages do not render. Email sends are checked too: the workspace has a
 * sender (`nodes[4].channel`), the template exists (`nodes[4].email.templateId`), inline Liquid
 * renders and MJML compiles (`nodes[4].email.mjml`). Every problem is listed together.
 */
export async function checkJourneyContent(
  db: Kysely<DB>,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<void> {
  const problems = await checkEmailNodes(db, workspaceId, definition);
  const contents = definition.nodes.flatMap((node, i) =>
    node.type === 'send' && node.channel !== 'email'
      ? [{ base: `nodes[${i}].messages`, content: node.messages }]
      : [],
  );
  if (contents.length) {
    const { rows } = await sql<{ id: number }>`
      select id from customer where workspace_id = ${workspaceId} and merged_into_id is null
      order by id limit 5`.execute(db);
    try {
      await validateContents(
        db,
        workspaceId,
        contents,
        rows.map((r) => Number(r.id)),
      );
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'invalid')) throw error;
      problems.unshift(...error.problems);
    }
  }
  if (problems.length) throw invalid(problems);
}

async function checkEmailNodes(
  db: Kysely<DB>,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<FieldProblem[]> {
  const nodes = definition.nodes.flatMap((node, i) =>
    node.type === 'send' && (node.channel === 'email' || node.channel === 'line_then_email')
      ? [{ node, i }]
      : [],
  );
  if (!nodes.length) return [];
  const problems: FieldProblem[] = [];
  if ((await emailSenderId(db, workspaceId)) === null)
    for (const { i } of nodes)
      problems.push({
        path: `nodes[${i}].channel`,
        message: 'no email sender in this workspace: PUT /v1/email/sender first (メール送信元が未設定です)',
      });
  for (const { node, i } of nodes)
    problems.push(...(await checkEmailSource(db, workspaceId, node.email, `nodes[${i}].email`)));
  return problems;
}

export interface JourneyMessages {
  /** Customers who get the node's messages as they are (no Liquid). */
  shared: number[];
  /** Each customer's own copy. */
  personalized: { customerId: number; messages: unknown[] }[];
  /** Customers whose copy did not render, with the reason (a step skipped, not a send failed). */
  failed: { customerId: number; reason: string }[];
}

/** The node's messages for each customer, rendered set-based when they hold Liquid. */
export async function journeyMessages(
  db: Kysely<DB>,
  workspaceId: string,
  messages: unknown[],
  customerIds: number[],
): Promise<JourneyMessages> {
  const { compiled, problems } = compileContent(messages, 'messages');
  if (problems.length || compiled.fields.length === 0) {
    // Saved versions were checked; an unparsable one (saved before the check) sends nothing.
    if (problems.length)
      return {
        shared: [],
        personalized: [],
        failed: customerIds.map((customerId) => ({ customerId, reason: problems[0]!.reason })),
      };
    return { shared: customerIds, personalized: [], failed: [] };
  }
  const out = await renderForAudience(db, workspaceId, compiled, customerIds);
  const seen = new Set([...out.rendered, ...out.failed].map((r) => r.customerId));
  return {
    shared: [],
    personalized: out.rendered.map((r) => ({ customerId: r.customerId, messages: r.content as unknown[] })),
    failed: [
      ...out.failed.map((f) => ({ customerId: f.customerId, reason: f.problem.reason })),
      // Left out by the render: merged away or gone since the run entered.
      ...customerIds
        .filter((id) => !seen.has(id))
        .map((customerId) => ({ customerId, reason: 'customer not found' })),
    ],
  };
}

/**
 * Every URL of the node's messages through a signed redirect under the send's origin
 * (`journey:<id>/v<version>/node:<node>`), when the journey stored a public URL and the engine
 * holds the secrets: each customer then gets their own copy (their own tokens).
 */
export async function trackJourneyLinks(
  ctx: NodeContext,
  nodeMessages: unknown[],
  origin: string,
  content: JourneyMessages,
): Promise<JourneyMessages> {
  const linkBase = ctx.secrets ? await ctx.linkBase() : null;
  if (!ctx.secrets || !linkBase) return content;
  const copies = [
    ...content.shared.map((customerId) => ({ customerId, content: nodeMessages as unknown })),
    ...content.personalized.map((p) => ({ customerId: p.customerId, content: p.messages as unknown })),
  ];
  const tracked = await trackLineClicks(ctx.tx, ctx.secrets, ctx.workspaceId, origin, linkBase, copies);
  if (tracked === copies) return content; // no URL in the messages
  return {
    shared: [],
    personalized: tracked.map((t) => ({ customerId: t.customerId, messages: t.content as unknown[] })),
    failed: content.failed,
  };
}

/** Each customer's copy of a send node's messages: Liquid rendered, then links tracked. */
export async function sendContent(
  ctx: NodeContext,
  messages: unknown[],
  origin: string,
  customerIds: number[],
): Promise<JourneyMessages> {
  const rendered = await journeyMessages(ctx.tx, ctx.workspaceId, messages, customerIds);
  return trackJourneyLinks(ctx, messages, origin, rendered);
}
