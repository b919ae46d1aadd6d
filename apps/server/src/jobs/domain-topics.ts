// The domain topics: changes published inside the transaction that made them, which jobs subscribe
// to. Kept apart from the job system's types so that publishers need not import the job runner.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Topics published inside the transaction that made the change, so a consumer never misses a
 * committed change and never sees a rolled-back one. Each job's data is the payload plus
 * `topic`, the topic it was published on.
 * - `orders.changed`  `{ workspaceId, orderIds, customerIds }` after orders are created or updated
 *   (customerIds: the orders' customers now and before, when an order moved)
 * - `customers.changed` `{ workspaceId, customerIds }` after profile, identity or consent changes,
 *   and for customers created or merged while orders, visits or events were written
 * - `events.recorded` `{ workspaceId, customerIds, types }` after events are stored
 * - `visits.recorded` `{ workspaceId, customerIds }` after visits are stored
 * - `segments.changed` `{ workspaceId, entered, exited }` after segment entries or exits were
 *   recorded (published by the segment jobs once their transaction has committed)
 */
export const DOMAIN_TOPICS = [
  'orders.changed',
  'customers.changed',
  'events.recorded',
  'visits.recorded',
  'segments.changed',
] as const;
export type DomainTopic = (typeof DOMAIN_TOPICS)[number];

/** Publishes a domain topic in the caller's transaction. */
export type Publish = (tx: Transaction<DB>, topic: DomainTopic, data: object) => Promise<void>;
