/**
 * What a segment definition reads, and so which changes can move a customer in or out of it.
 * The incremental recompute after `orders.changed` evaluates only the segments that read orders:
 * "birthday this month" or "is a LINE friend" cannot change because an order arrived.
 *
 * That is only sound because every writer announces a new or merged customer as
 * `customers.changed` (which re-evaluates every segment for them), next to the orders, visits or
 * events it wrote: see resolveCustomerRefs.
 */
import type { RuleNode } from './rule-tree.ts';

/**
 * `customer`: profile fields, attributes, tags, identities, consent, birthday, anniversary,
 * interests. `orders` includes `purchased` (order lines), `visits` includes `visitMenu`. A
 * product's category is read when the segment is evaluated, so a category condition is time-based
 * (rule-tree.ts isTimeBased): re-categorising a product moves customers at the hourly refresh.
 * `events:T`: events of type T; `events:*`: an aggregate over events of any type.
 * `rfm` and `predictions` change only with the analytics refresh and the CLV refit, which
 * re-evaluate the segments in full.
 */
export type SegmentInput = 'customer' | 'orders' | 'visits' | `events:${string}` | 'rfm' | 'predictions';

export function definitionInputs(node: RuleNode, into = new Set<SegmentInput>()): Set<SegmentInput> {
  if ('and' in node) for (const c of node.and) definitionInputs(c, into);
  else if ('or' in node) for (const c of node.or) definitionInputs(c, into);
  else if ('not' in node) definitionInputs(node.not, into);
  else if ('aggregate' in node) {
    const a = node.aggregate;
    into.add(a.of === 'events' ? `events:${a.type ?? '*'}` : a.of);
  } else if ('purchased' in node) into.add('orders');
  else if ('visitMenu' in node) into.add('visits');
  else if ('rfm' in node) into.add('rfm');
  else if ('prediction' in node) into.add('predictions');
  else into.add('customer');
  return into;
}

/** A change announced on a domain topic: what it changed, as far as segments are concerned. */
export interface SegmentChange {
  topic?: string;
  /** events.recorded: the types of the events stored. */
  types?: unknown;
}

/**
 * Whether a definition can be affected by the change. Unknown or missing topics affect every
 * segment (the safe answer).
 */
export function affectedBy(inputs: ReadonlySet<SegmentInput>, change: SegmentChange): boolean {
  switch (change.topic) {
    case 'orders.changed':
      return inputs.has('orders');
    case 'visits.recorded':
      return inputs.has('visits');
    case 'events.recorded': {
      if (inputs.has('events:*')) return true;
      if (!Array.isArray(change.types)) return [...inputs].some((i) => i.startsWith('events:'));
      return change.types.some((t) => inputs.has(`events:${String(t)}`));
    }
    default:
      return true;
  }
}
