// The profile a merge leaves on the survivor, computed from the records alone: mergeCustomers
// writes it and the merge preview shows it, so the two cannot disagree.
import type { Selectable } from 'kysely';
import type { CustomerTable } from './customer-tables.ts';

export const MERGED_PROFILE_COLUMNS = [
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birthday',
  'gender',
  'prefecture',
  'postal_code',
  'favorite_store_id',
  'acquisition_source',
] as const;
export type MergedProfileColumn = (typeof MERGED_PROFILE_COLUMNS)[number];

export type CustomerRow = Selectable<CustomerTable>;

export interface MergedProfile {
  /** The columns the survivor lacks and takes from the first merged record that has them. */
  patch: Partial<Pick<CustomerRow, MergedProfileColumn>>;
  /** Which record each profile column's value comes from (absent: no record has one). */
  sources: Partial<Record<MergedProfileColumn, number>>;
  tags: string[];
  interests: string[];
  attributes: Record<string, unknown>;
  registeredAt: Date;
}

function copyColumn<K extends MergedProfileColumn>(
  patch: MergedProfile['patch'],
  from: CustomerRow,
  column: K,
): void {
  patch[column] = from[column];
}

/**
 * The survivor (rows[0], the lowest id) keeps its own profile values and takes the others' only
 * where it has none, in id order; tags and interests are united; attributes are laid over each
 * other with the survivor's on top; the earliest registration stands.
 *
 * @example
 * planMergedProfile([older, newer]).patch // { birthday: '1990-04-01' } when only newer had one
 */
export function planMergedProfile(rows: readonly CustomerRow[]): MergedProfile {
  const survivor = rows[0];
  if (!survivor) throw new Error('planMergedProfile: no records');
  const patch: MergedProfile['patch'] = {};
  const sources: MergedProfile['sources'] = {};
  for (const column of MERGED_PROFILE_COLUMNS) {
    const donor = rows.find((r) => r[column] !== null);
    if (!donor) continue;
    sources[column] = donor.id;
    if (donor !== survivor) copyColumn(patch, donor, column);
  }
  const union = (column: 'tags' | 'interests') => [...new Set(rows.flatMap((r) => r[column]))];
  const attributes = Object.assign(
    {},
    ...rows
      .slice(1)
      .reverse()
      .map((r) => r.attributes as Record<string, unknown>),
    survivor.attributes as Record<string, unknown>,
  ) as Record<string, unknown>;
  // biome-ignore lint/complexity/useMathMinMax: these are Dates; Math.min would turn them into numbers.
  const registeredAt = rows.map((r) => r.registered_at).reduce((a, b) => (a < b ? a : b));
  return { patch, sources, tags: union('tags'), interests: union('interests'), attributes, registeredAt };
}
