// Rendering one piece of content for a whole audience: variables are loaded a chunk of customers
// at a time (a few queries per chunk), and each customer's copy is rendered in memory. This is
// what a campaign or a journey step hands to the messaging core as `personalized` content.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  type CompiledContent,
  type ContentProblem,
  ContentRenderError,
  renderContent,
} from './render-content.ts';
import { type CustomerVariables, loadTemplateVariables, type VariableOptions } from './template-variables.ts';
import { usesRecommendations } from './validate-content.ts';

/**
 * Customers per variable load. Large on purpose: each recommendations statement recounts the
 * workspace's co-purchases, so ten chunks of 2,000 took 8.4 s where one of 20,000 took 1.3 s
 * (bench/campaigns, PostgreSQL); 20,000 customers' variables are a few MB.
 */
const CHUNK = 20_000;

export interface AudienceRender {
  /** Each customer's rendered content, in the order of the ids given. */
  rendered: { customerId: number; content: unknown }[];
  /** Customers whose content did not render (a template checked at save time should have none). */
  failed: { customerId: number; problem: ContentProblem }[];
}

/**
 * Renders `compiled` for every customer; `finish` may rewrite each copy (click tracking puts its
 * redirect links in). Customers not in the workspace (or merged away) are left out.
 */
export async function renderForAudience(
  db: Kysely<DB>,
  workspaceId: string,
  compiled: CompiledContent,
  customerIds: readonly number[],
  options: VariableOptions & {
    finish?: (customerId: number, content: unknown) => unknown;
  } = {},
): Promise<AudienceRender> {
  const out: AudienceRender = { rendered: [], failed: [] };
  const recommendations = usesRecommendations(compiled.content) ? (options.recommendations ?? true) : false;
  for (let i = 0; i < customerIds.length; i += CHUNK) {
    const ids = customerIds.slice(i, i + CHUNK);
    const vars: Map<number, CustomerVariables> =
      compiled.fields.length === 0
        ? new Map()
        : await loadTemplateVariables(db, workspaceId, ids, { ...options, recommendations });
    for (const id of ids) {
      const v = vars.get(id);
      if (compiled.fields.length > 0 && !v) continue;
      try {
        // Without templates every customer shares the one (never mutated) content.
        const content = v ? await renderContent(compiled, v) : compiled.content;
        out.rendered.push({
          customerId: id,
          content: options.finish ? options.finish(id, content) : content,
        });
      } catch (error) {
        if (!(error instanceof ContentRenderError)) throw error;
        out.failed.push({ customerId: id, problem: error.problem });
      }
    }
  }
  return out;
}
