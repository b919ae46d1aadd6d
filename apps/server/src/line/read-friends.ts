// Reading LINE friends (line_friend): a page of a workspace's friends and blocked users, most
// recent follow or block first. Every query is scoped by workspace.
import { type Kysely, sql } from 'kysely';
import { type Static, Type } from 'typebox';
import type { DB } from '../db/schema.ts';
import { decodeCursor, encodeCursor, instantText } from '../shared/page-cursor.ts';
import { assertChannel } from './channels.ts';

export const FriendView = Type.Object({
  channelId: Type.String({ description: "Kizuna's channel key" }),
  lineUserId: Type.String(),
  customerId: Type.Integer(),
  status: Type.Union([Type.Literal('following'), Type.Literal('blocked')]),
  displayName: Type.Union([Type.String(), Type.Null()]),
  pictureUrl: Type.Union([Type.String(), Type.Null()]),
  followCount: Type.Integer({
    description: 'Follows seen from this user (more than 1: came back after a block)',
  }),
  lastEventAt: Type.String({ format: 'date-time', description: 'The latest follow or block' }),
  source: Type.Union([Type.String(), Type.Null()], {
    description: "The customer's acquisition source: line_follow when the follow made the customer",
  }),
});
export type FriendView = Static<typeof FriendView>;

export interface FriendFilter {
  channelId?: string | undefined;
  status?: 'following' | 'blocked' | undefined;
  /** The customer's acquisition source (line_follow, store, ec, …). */
  source?: string | undefined;
}

/** line_friend keeps `friend` for a user who follows; the API says `following`. */
const STATUS = { following: 'friend', blocked: 'blocked' } as const;

/** One page of friends, newest change first (last_event_at, then channel and user). */
export async function listFriends(
  db: Kysely<DB>,
  workspaceId: string,
  filter: FriendFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: FriendView[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor, ['instant', 'uuid', 'text']) : undefined;
  if (filter.channelId !== undefined) await assertChannel(db, workspaceId, filter.channelId);
  const rows = await db
    .selectFrom('line_friend as f')
    .innerJoin('customer as c', (j) =>
      j.onRef('c.workspace_id', '=', 'f.workspace_id').onRef('c.id', '=', 'f.customer_id'),
    )
    .select([
      'f.channel_id',
      'f.line_user_id',
      'f.customer_id',
      'f.status',
      'f.display_name',
      'f.picture_url',
      'f.follow_count',
      'f.last_event_at',
      'c.acquisition_source',
      instantText('f.last_event_at').as('key_at'),
    ])
    .where('f.workspace_id', '=', workspaceId)
    .$if(filter.channelId !== undefined, (q) => q.where('f.channel_id', '=', filter.channelId!))
    .$if(filter.status !== undefined, (q) => q.where('f.status', '=', STATUS[filter.status!]))
    .$if(filter.source !== undefined, (q) => q.where('c.acquisition_source', '=', filter.source!))
    .$if(after !== undefined, (q) =>
      q.where(
        sql<boolean>`(f.last_event_at, f.channel_id, f.line_user_id) < (${after![0]}::timestamptz, ${after![1]}::uuid, ${after![2]})`,
      ),
    )
    .orderBy('f.last_event_at', 'desc')
    .orderBy('f.channel_id', 'desc')
    .orderBy('f.line_user_id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => ({
      channelId: r.channel_id,
      lineUserId: r.line_user_id,
      customerId: r.customer_id,
      status: r.status === 'friend' ? 'following' : 'blocked',
      displayName: r.display_name,
      pictureUrl: r.picture_url,
      followCount: r.follow_count,
      lastEventAt: r.last_event_at.toISOString(),
      source: r.acquisition_source,
    })),
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor([last.key_at, last.channel_id, last.line_user_id])
        : null,
  };
}
