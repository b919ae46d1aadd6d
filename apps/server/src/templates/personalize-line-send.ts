// LINE content for a send to many customers, ready for the messaging core: Liquid rendered per
// customer (variables loaded set-based) and every URL turned into a signed click redirect. What
// a campaign variant and a journey's send step both need.
import type { Kysely } from 'kysely';
import { trackLineClicks } from '../clicks/track-links.ts';
import type { DB } from '../db/schema.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { renderForAudience } from './render-audience.ts';
import { type ContentProblem, compileContent } from './render-content.ts';
import type { VariableOptions } from './template-variables.ts';

export interface PersonalizeOptions extends VariableOptions {
  /** The send's origin (`campaign:12/A`, `journey:3/step:2`): the clicks are recorded under it. */
  origin: string;
  /** The public URL redirects start with; null: links are left as they are. */
  linkBase: string | null;
}

/** The messaging core's `customerIds` (shared content) or `personalized`, and who did not render. */
export interface PersonalizedSend {
  customerIds: number[];
  personalized?: { customerId: number; messages: unknown[] }[];
  failed: { customerId: number; problem: ContentProblem }[];
}

/**
 * Shared content (one multicast) when nothing varies per customer (no Liquid, no tracked link);
 * otherwise each customer's own copy. The template must have passed validateContents: a syntax
 * error here is a bug and throws.
 *
 * @example
 * const p = await personalizeLineSend(db, secrets, ws, messages, ids, { origin: 'journey:3/step:2', linkBase });
 * await createSend(db, jobs, ws, { channelId, idempotencyKey, messages, ...p });
 */
export async function personalizeLineSend(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  messages: unknown[],
  customerIds: readonly number[],
  options: PersonalizeOptions,
): Promise<PersonalizedSend> {
  const { compiled, problems } = compileContent(messages, 'messages');
  if (problems.length) throw new Error(`${options.origin}: ${problems[0]!.path}: ${problems[0]!.reason}`);
  const out = await renderForAudience(db, workspaceId, compiled, customerIds, {
    recommendations: options.recommendations ?? { limit: 5 },
    ...(options.couponTemplateId !== undefined ? { couponTemplateId: options.couponTemplateId } : {}),
  });
  const rendered = options.linkBase
    ? await trackLineClicks(db, secrets, workspaceId, options.origin, options.linkBase, out.rendered)
    : out.rendered;
  const varies = compiled.fields.length > 0 || rendered !== out.rendered;
  if (!varies) return { customerIds: rendered.map((r) => r.customerId), failed: out.failed };
  return {
    customerIds: [],
    personalized: rendered.map((r) => ({ customerId: r.customerId, messages: r.content as unknown[] })),
    failed: out.failed,
  };
}
