// The domain topics: changes published inside the transaction that made them, which jobs subscribe
// to. Kept apart from the job system's types so that publishers need not import the job runner.
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Topics published inside the transaction that made the change, so a consumer never misses a
 * committed change and never sees a rolled-back one: topic → payload. Each job's data is the
 * payload plus `topic`, the topic it was published on (TopicMessage).
 */
export interface TopicPayloads {
  /** After orders are created or updated; customerIds: the orders' customers now and before, when an order moved. */
  'orders.changed': { workspaceId: string; orderIds: number[]; customerIds: number[] };
  /**
   * After profile, identity or consent changes, and for customers created or merged while
   * orders, visits or events were written.
   */
  'customers.changed': { workspaceId: string; customerIds: number[] };
  /** After events are stored, with their types. */
  'events.recorded': { workspaceId: string; customerIds: number[]; types: string[] };
  /** After visits are stored. */
  'visits.recorded': { workspaceId: string; customerIds: number[] };
  /**
   * After segment entries or exits were recorded, with their counts (published by the segment
   * jobs once their transaction has committed).
   */
  'segments.changed': { workspaceId: string; entered: number; exited: number };
}
export type DomainTopic = keyof TopicPayloads;

export const DOMAIN_TOPICS = Object.keys({
  'orders.changed': true,
  'customers.changed': true,
  'events.recorded': true,
  'visits.recorded': true,
  'segments.changed': true,
} satisfies Record<DomainTopic, true>) as DomainTopic[];

/** A subscriber's job data: the payload of one of `T`, tagged with its topic (narrow on `topic`). */
export type TopicMessage<T extends DomainTopic = DomainTopic> = {
  [K in T]: TopicPayloads[K] & { topic: K };
}[T];

/**
 * Whether a job's data is a publication on one of `topics` (false for a scheduled run's or a
 * direct send's data). It checks the tag only: the payload was type-checked where it was
 * published.
 *
 * @example
 * if (isTopicMessage(data, ['orders.changed'])) syncOrders(data.orderIds);
 */
export function isTopicMessage<T extends DomainTopic>(
  data: unknown,
  topics: readonly T[],
): data is TopicMessage<T> {
  const topic = (data as { topic?: unknown } | null)?.topic;
  return typeof topic === 'string' && (topics as readonly string[]).includes(topic);
}

/** Publishes a domain topic in the caller's transaction; the payload must be the topic's. */
export type Publish = <T extends DomainTopic>(
  tx: Transaction<DB>,
  topic: T,
  data: TopicPayloads[T],
) => Promise<void>;
