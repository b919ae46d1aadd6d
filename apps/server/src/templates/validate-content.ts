// Save-time checks of templated content: parse every Liquid field, then render it for a few of
// the workspace's customers and the synthetic ones. An error names the JSON path, the line and
// column in the template, the reason, and the customer it failed for, and nothing is saved.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { renderTemplate, TemplateError } from './liquid-engine.ts';
import { type CompiledContent, compileContent, pathText } from './render-content.ts';
import {
  type CustomerVariables,
  loadTemplateVariables,
  SYNTHETIC_CUSTOMERS,
  type VariableOptions,
} from './template-variables.ts';

/** Whether the content uses recommendations (then they are loaded; otherwise not). */
export function usesRecommendations(content: unknown): boolean {
  return JSON.stringify(content).includes('recommendations');
}

function problemText(p: { line: number; column: number; reason: string }, who: string): string {
  return `Liquid line ${p.line}, column ${p.column}: ${p.reason} (${who})`;
}

/**
 * Checks each piece of content (`{ base: 'variants[0].messages', content }`) against up to
 * `sampleCustomerIds` (a few real customers) and the synthetic ones; throws `invalid` listing every
 * failing field, e.g. `variants[0].messages[0].text: Liquid line 1, column 4: undefined variable:
 * customer.givn_name (synthetic customer 1)`.
 */
export async function validateContents(
  db: Kysely<DB>,
  workspaceId: string,
  contents: readonly { base: string; content: unknown }[],
  sampleCustomerIds: readonly number[],
  options: VariableOptions = {},
): Promise<CompiledContent[]> {
  const problems: FieldProblem[] = [];
  const compiled = contents.map(({ base, content }) => {
    const result = compileContent(content, base);
    for (const p of result.problems) problems.push({ path: p.path, message: problemText(p, 'syntax') });
    return result.compiled;
  });
  if (problems.length) throw invalid(problems);
  const wantsRecs = contents.some((c) => usesRecommendations(c.content));
  const real = await loadTemplateVariables(db, workspaceId, sampleCustomerIds.slice(0, 5), {
    ...options,
    recommendations: wantsRecs ? (options.recommendations ?? true) : false,
  });
  const samples: [string, CustomerVariables][] = [
    ...SYNTHETIC_CUSTOMERS.map((v, i): [string, CustomerVariables] => [`synthetic customer ${i + 1}`, v]),
    ...[...real].map(([id, v]): [string, CustomerVariables] => [`customer ${id}`, v]),
  ];
  // Field by field, so that every failing field is named, each with the first sample it fails for.
  for (const [i, c] of compiled.entries()) {
    for (const field of c.fields) {
      for (const [who, variables] of samples) {
        try {
          await renderTemplate(field.template, variables);
        } catch (error) {
          if (!(error instanceof TemplateError)) throw error;
          problems.push({
            path: pathText(contents[i]!.base, field.path),
            message: problemText(error.problem, who),
          });
          break;
        }
      }
    }
  }
  if (problems.length) throw invalid(problems);
  return compiled;
}
