// The step list of any journey, linear or branching: the steps in the order a run meets them, each
// with when it happens (「3日後 10:00」), a branch's two ways nested under it (はいの場合 / いいえの場
//合), and a way that rejoins a step already listed pointing to it instead of listing it twice.
import { afterWait, type JourneyNodeView, type StepTiming } from './definition-view.ts';
import { type JourneyDraft, nodeOf, targetOf } from './journey-draft.ts';

export type StepItem =
  | {
      node: JourneyNodeView;
      /** null after a wait for an event's "yes": the time depends on when the customer acted. */
      timing: StepTiming | null;
      arms?: { arm: 'yes' | 'no'; items: StepItem[] }[];
    }
  | { joins: string };

const START: StepTiming = { days: 0, hours: 0, at: null, weekday: null, immediate: true };

export function stepTree(draft: JourneyDraft): StepItem[] {
  const seen = new Set<string>();
  const walk = (start: string | undefined, from: StepTiming | null): StepItem[] => {
    const items: StepItem[] = [];
    let id = start;
    let timing = from;
    while (id !== undefined) {
      if (seen.has(id)) {
        items.push({ joins: id });
        break;
      }
      seen.add(id);
      const node = nodeOf(draft, id);
      if (!node) break;
      if (node.type === 'wait') timing = timing && afterWait(timing, node);
      if (node.type === 'branch' || node.type === 'waitForEvent') {
        const noTiming =
          node.type === 'waitForEvent'
            ? timing && afterWait(timing, { ...node, duration: node.timeout })
            : timing;
        const yes = walk(targetOf(draft, id, 'yes'), node.type === 'waitForEvent' ? null : timing);
        const no = walk(targetOf(draft, id, 'no'), noTiming);
        items.push({
          node,
          timing,
          arms: [
            { arm: 'yes', items: yes },
            { arm: 'no', items: no },
          ],
        });
        break;
      }
      items.push({ node, timing });
      id = targetOf(draft, id, 'next');
    }
    return items;
  };
  return walk(draft.nodes[0]?.id, START);
}
