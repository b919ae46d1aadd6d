// The customer's timeline (カルテ): orders, visits, events, consent changes and messages, merged
// newest first and paginated. Each capability reads its own rows (readOrders, readVisits, …);
// this file only merges them.
//
// Order: (at, source rank, id, sub), all descending, where at is the row's instant to the
// microsecond and the rank breaks ties between sources at the same instant. A page asks every
// source for limit + 1 rows below the cursor and keeps the newest limit + 1 of their union: each
// row of the page is among its own source's first limit + 1, so nothing is skipped.
import type { Kysely } from 'kysely';
import { readConsentEvents } from '../customers/read-consent-events.ts';
import type { DB } from '../db/schema.ts';
import { readEvents } from '../events/read-events.ts';
import { readCustomerMessages } from '../messaging/customer-messages.ts';
import { readOrders } from '../orders/read-orders.ts';
import {
  atOrBefore,
  decodeCursor,
  encodeCursor,
  type KeyBound,
  strictlyBefore,
} from '../shared/page-cursor.ts';
import { readVisits } from '../visits/read-visits.ts';
import type { TimelineEntry } from './karte-view.ts';

/** The sources, in the order they come at the same instant. */
const SOURCES = ['order', 'visit', 'event', 'consent', 'message'] as const;
type Source = (typeof SOURCES)[number];

/** LINE messages a customer sent the shop arrive as events of this type (line/line-events.ts). */
const LINE_MESSAGE_RECEIVED = 'custom:line.message';

interface Keyed {
  source: Source;
  key: KeyBound;
  entry: TimelineEntry;
}

type Cursor = KeyBound & { source: Source };

/** Where each source resumes after the cursor's row (see the ordering above). */
function boundFor(source: Source, cursor: Cursor | undefined): KeyBound | undefined {
  if (!cursor) return undefined;
  const rank = SOURCES.indexOf(source);
  const cursorRank = SOURCES.indexOf(cursor.source);
  if (rank === cursorRank) return cursor;
  // A source ranked after the cursor's comes after it at the same instant, one before it does not.
  return rank > cursorRank ? atOrBefore(cursor.at) : strictlyBefore(cursor.at);
}

async function readSources(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  limit: number,
  cursor: Cursor | undefined,
): Promise<Keyed[]> {
  const page = (source: Source) => ({ limit, before: boundFor(source, cursor) });
  const [orders, visits, events, consents, messages] = await Promise.all([
    readOrders(db, workspaceId, { customerId }, page('order')),
    readVisits(db, workspaceId, { customerId }, page('visit')),
    readEvents(db, workspaceId, { customerId }, page('event')),
    readConsentEvents(db, workspaceId, customerId, page('consent')),
    readCustomerMessages(db, workspaceId, customerId, page('message')),
  ]);
  return [
    ...orders.map(({ key, order }) => ({
      source: 'order' as const,
      key,
      entry: { kind: 'order' as const, at: order.orderedAt, order },
    })),
    ...visits.map(({ key, visit }) => ({
      source: 'visit' as const,
      key,
      entry: { kind: 'visit' as const, at: visit.visitedAt, visit },
    })),
    ...events.map(({ key, event }) => ({
      source: 'event' as const,
      key,
      entry: {
        kind: event.type === LINE_MESSAGE_RECEIVED ? ('message_received' as const) : ('event' as const),
        at: event.occurredAt,
        event,
      },
    })),
    ...consents.map(({ key, consent }) => ({
      source: 'consent' as const,
      key,
      entry: { kind: 'consent' as const, at: consent.occurredAt, consent },
    })),
    ...messages.map(({ key, message }) => ({
      source: 'message' as const,
      key,
      entry: { kind: 'message_sent' as const, at: message.createdAt, message },
    })),
  ];
}

/** Newest first: a before b when a's key is greater. */
function compareDesc(a: Keyed, b: Keyed): number {
  if (a.key.at !== b.key.at) return a.key.at < b.key.at ? 1 : -1;
  const rank = SOURCES.indexOf(a.source) - SOURCES.indexOf(b.source);
  if (rank !== 0) return rank;
  const id = BigInt(b.key.id) - BigInt(a.key.id);
  if (id !== 0n) return id > 0n ? 1 : -1;
  const sub = BigInt(b.key.sub ?? '0') - BigInt(a.key.sub ?? '0');
  return sub > 0n ? 1 : sub < 0n ? -1 : 0;
}

/**
 * One page of a live customer's timeline, newest first. The caller resolves the customer (and
 * its workspace) first; `cursor` is the previous page's nextCursor.
 */
export async function customerTimeline(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: TimelineEntry[]; nextCursor: string | null }> {
  const cursor = page.cursor ? parseCursor(page.cursor) : undefined;
  const rows = (await readSources(db, workspaceId, customerId, page.limit + 1, cursor)).sort(compareDesc);
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map((r) => r.entry),
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor([last.source, last.key.at, last.key.id, last.key.sub ?? '0'])
        : null,
  };
}

function parseCursor(value: string): Cursor {
  const [source, at, id, sub] = decodeCursor(value, [{ oneOf: SOURCES }, 'instant', 'id', 'sub']);
  return { source: source as Source, at: at!, id: id!, sub: sub! };
}
