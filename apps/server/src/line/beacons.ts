// LINE beacons placed in stores. A friend's phone near a beacon sends LINE a beacon event; when
// the beacon is tied to a store here, its `enter` records a visit there through the visits
// capability (once per customer, store and day in Japan time, however often they pass by).

import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { DomainError, notFound } from '../shared/domain-error.ts';
import { jstDay } from '../shared/japan-time.ts';
import { recordVisits } from '../visits/record-visits.ts';
import { assertChannel } from './channels.ts';
import './line-tables.ts';

export interface Beacon {
  hwid: string;
  storeCode: string;
  createdAt: string;
}

/** The beacons of a channel with the store each records visits at, by hwid. */
export async function listBeacons(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<Beacon[]> {
  await assertChannel(db, workspaceId, channelId);
  const rows = await db
    .selectFrom('line_beacon as b')
    .innerJoin('store as s', (join) =>
      join.onRef('s.workspace_id', '=', 'b.workspace_id').onRef('s.id', '=', 'b.store_id'),
    )
    .select(['b.hwid', 's.code', 'b.created_at'])
    .where('b.workspace_id', '=', workspaceId)
    .where('b.channel_id', '=', channelId)
    .orderBy('b.hwid')
    .execute();
  return rows.map((r) => ({
    hwid: r.hwid,
    storeCode: r.code,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Ties a beacon to a store (or moves it to another store). */
export async function setBeacon(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  hwid: string,
  storeCode: string,
): Promise<Beacon> {
  await assertChannel(db, workspaceId, channelId);
  const store = await db
    .selectFrom('store')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('code', '=', storeCode)
    .executeTakeFirst();
  if (!store)
    throw new DomainError('invalid', `storeCode: no store with code "${storeCode}"`, [
      { path: 'storeCode', message: `no store with code "${storeCode}"` },
    ]);
  const row = await db
    .insertInto('line_beacon')
    .values({ workspace_id: workspaceId, channel_id: channelId, hwid, store_id: Number(store.id) })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'channel_id', 'hwid']).doUpdateSet({ store_id: Number(store.id) }),
    )
    .returning(['hwid', 'created_at'])
    .executeTakeFirstOrThrow();
  return { hwid: row.hwid, storeCode, createdAt: new Date(row.created_at).toISOString() };
}

/** Unties a beacon; its later events are recorded as events only. */
export async function removeBeacon(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  hwid: string,
): Promise<void> {
  const result = await db
    .deleteFrom('line_beacon')
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .where('hwid', '=', hwid)
    .executeTakeFirst();
  if (!Number(result.numDeletedRows)) throw notFound('beacon');
}

/**
 * A beacon `enter` from a customer: a visit at the beacon's store, if it is tied to one. The
 * visit id names the beacon, customer and Japan day, so passing by again that day (or LINE
 * redelivering the event) records nothing more. Returns whether a new visit was stored.
 */
export async function visitFromBeacon(
  tx: Transaction<DB>,
  workspaceId: string,
  channelId: string,
  hwid: string,
  customerId: number,
  at: Date,
  publish?: Publish,
): Promise<boolean> {
  const beacon = await tx
    .selectFrom('line_beacon as b')
    .innerJoin('store as s', (join) =>
      join.onRef('s.workspace_id', '=', 'b.workspace_id').onRef('s.id', '=', 'b.store_id'),
    )
    .select('s.code')
    .where('b.workspace_id', '=', workspaceId)
    .where('b.channel_id', '=', channelId)
    .where('b.hwid', '=', hwid)
    .executeTakeFirst();
  if (!beacon) return false;
  const [outcome] = await recordVisits(
    tx,
    workspaceId,
    [
      {
        index: 0,
        item: {
          id: `line-beacon:${hwid}:${customerId}:${jstDay(at)}`,
          customer: { id: customerId },
          storeCode: beacon.code,
          visitedAt: at.toISOString(),
          source: 'line_beacon',
        },
      },
    ],
    publish,
  );
  return outcome?.outcome === 'stored';
}
