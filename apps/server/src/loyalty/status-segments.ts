// The statuses that status-based coupon grants name (first visit, lapsed, regular, birthday,
// anniversary) are segments, so that "lapsed" means one thing in a shop: the definition of its
// segment. A rule names the segment by id, or by status: the workspace's segment built from that
// status's template (the oldest one, when the shop made several), created from the template when
// the workspace has none yet. Editing that segment changes who gets the status coupon.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { createSegment } from '../segments/segment-store.ts';
import { invalid } from '../shared/domain-error.ts';

/** Statuses a grant rule can name (`rules.statusGrants[i].trigger`). */
export const STATUS_TRIGGERS = ['first_visit', 'lapsed', 'regular', 'birthday', 'anniversary'] as const;
export type StatusTrigger = (typeof STATUS_TRIGGERS)[number];

/** The segment template each status is built from (segments/templates.ts). */
export const STATUS_TEMPLATES: Readonly<Record<StatusTrigger, string>> = {
  first_visit: 'first_visit',
  lapsed: 'lapsed_180d',
  regular: 'regulars',
  birthday: 'birthday_this_month',
  anniversary: 'anniversary_today',
};

export interface StatusGrantTarget {
  trigger?: StatusTrigger | undefined;
  segmentId?: number | undefined;
}

/** The workspace's segment for a status, created from its template when there is none. */
export async function statusSegmentId(db: Kysely<DB>, workspaceId: string, trigger: StatusTrigger) {
  const template = STATUS_TEMPLATES[trigger];
  const { rows } = await sql<{ id: number }>`select id from segment
    where workspace_id = ${workspaceId} and template = ${template} order by id limit 1`.execute(db);
  if (rows[0]) return Number(rows[0].id);
  return (await createSegment(db, workspaceId, { template }, { actor: `loyalty:status:${trigger}` })).id;
}

/** The segment a grant rule names; undefined when its segmentId no longer exists. */
export async function grantSegmentId(
  db: Kysely<DB>,
  workspaceId: string,
  rule: StatusGrantTarget,
): Promise<number | undefined> {
  if (rule.trigger) return statusSegmentId(db, workspaceId, rule.trigger);
  const { rows } = await sql<{ id: number }>`select id from segment
    where workspace_id = ${workspaceId} and id = ${rule.segmentId ?? 0}`.execute(db);
  return rows[0] ? Number(rows[0].id) : undefined;
}

/**
 * Checks the segments the rules name when they are saved (a 400 naming the field when one is
 * not in the workspace) and makes the status segments the rules rely on, so that the shop finds
 * them in its segment list to edit.
 */
export async function prepareGrantSegments(
  db: Kysely<DB>,
  workspaceId: string,
  rules: readonly StatusGrantTarget[],
): Promise<void> {
  const problems = [];
  for (const [i, rule] of rules.entries()) {
    if (rule.segmentId === undefined) continue;
    if ((await grantSegmentId(db, workspaceId, rule)) === undefined)
      problems.push({
        path: `rules.statusGrants[${i}].segmentId`,
        message: `segment ${rule.segmentId} does not exist in this workspace`,
      });
  }
  if (problems.length) throw invalid(problems);
  for (const rule of rules) if (rule.trigger) await statusSegmentId(db, workspaceId, rule.trigger);
}
