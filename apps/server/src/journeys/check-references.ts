// What a journey's definition names in the workspace, checked when a version is saved: a
// grantCoupon action's coupon template must exist in this workspace and be active, and a
// linkRichMenu action's rich menu must be this workspace's with its image uploaded, so a typo'd
// or retired template or menu is a 400 naming the node (`nodes[2].action.templateId`), not a
// `skipped` step found weeks later for every customer who reaches it. (Messages are in English, as every
// field problem of the API is; the console words them per language from the path.)
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { richMenuProblems } from '../line/rich-menu-assignments.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { JourneyDefinition } from './definition.ts';

/**
 * Throws `invalid` naming every grantCoupon action whose template is missing or inactive and
 * every linkRichMenu action whose menu is missing or cannot be shown.
 */
export async function checkJourneyReferences(
  db: Kysely<DB>,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<void> {
  const problems = [
    ...(await couponProblems(db, workspaceId, definition)),
    ...(await menuProblems(db, workspaceId, definition)),
  ];
  if (problems.length) throw invalid(problems);
}

async function menuProblems(
  db: Kysely<DB>,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<FieldProblem[]> {
  const links = definition.nodes.flatMap((node, i) =>
    node.type === 'action' && node.action.type === 'linkRichMenu'
      ? [{ path: `nodes[${i}].action.richMenuId`, nodeId: node.id, menuId: node.action.richMenuId }]
      : [],
  );
  if (!links.length) return [];
  const found = await richMenuProblems(
    db,
    workspaceId,
    links.map((l) => l.menuId),
  );
  return links.flatMap((l) => {
    const problem = found.get(l.menuId);
    return problem ? [{ path: l.path, message: `node "${l.nodeId}": ${problem}` }] : [];
  });
}

async function couponProblems(
  db: Kysely<DB>,
  workspaceId: string,
  definition: JourneyDefinition,
): Promise<FieldProblem[]> {
  const grants = definition.nodes.flatMap((node, i) =>
    node.type === 'action' && node.action.type === 'grantCoupon'
      ? [{ path: `nodes[${i}].action.templateId`, nodeId: node.id, templateId: node.action.templateId }]
      : [],
  );
  if (!grants.length) return [];
  const { rows } = await sql<{ id: number; active: boolean }>`
    select id, active from coupon_template
    where workspace_id = ${workspaceId} and id = any(${grants.map((g) => g.templateId)}::bigint[])`.execute(
    db,
  );
  const active = new Map(rows.map((r) => [Number(r.id), r.active]));
  const problems: FieldProblem[] = [];
  for (const g of grants) {
    const state = active.get(g.templateId);
    if (state === undefined)
      problems.push({
        path: g.path,
        message: `node "${g.nodeId}": no coupon template ${g.templateId} in this workspace`,
      });
    else if (!state)
      problems.push({
        path: g.path,
        message: `node "${g.nodeId}": coupon template ${g.templateId} is inactive`,
      });
  }
  return problems;
}
