// A journey's holdout (control group, 効果測定用の除外グループ): the customers whose stable bucket
// in the journey's experiment falls below `holdoutPercent`. The bucket is the campaigns' hash of
// (experiment, customer), and the experiment is the journey, not its version, so a customer who
// re-enters, on this version or a later one, lands in the same bucket.
import { inHoldout } from '../campaigns/experiment-buckets.ts';
import type { JourneyDefinition } from './definition.ts';
import type { NodeContext } from './node-context.ts';
import type { RunState } from './run-state.ts';

/** `<workspace>/journey:<id>`: the key every holdout bucket of the journey hashes with. */
export function journeyExperimentId(workspaceId: string, journeyId: number): string {
  return `${workspaceId}/journey:${journeyId}`;
}

/** Whether the customer is held out of this version's sends and value-giving actions. */
export function isHeldOut(
  workspaceId: string,
  journeyId: number,
  definition: Pick<JourneyDefinition, 'holdoutPercent'>,
  customerId: number,
): boolean {
  const percent = definition.holdoutPercent ?? 0;
  return percent > 0 && inHoldout(journeyExperimentId(workspaceId, journeyId), customerId, percent);
}

/** The step record of a held-out run: skipped, reason `holdout`. */
export interface HeldStep {
  runId: number;
  stepNo: number;
  outcome: 'skipped';
  detail: { reason: 'holdout' };
}

/** Splits a node's runs into the held-out ones (as their step records) and the rest. */
export function splitHoldout(ctx: NodeContext, runs: RunState[]): { held: HeldStep[]; due: RunState[] } {
  const held: HeldStep[] = [];
  const due: RunState[] = [];
  for (const r of runs)
    if (isHeldOut(ctx.workspaceId, ctx.journeyId, ctx.definition, r.customerId))
      held.push({ runId: r.id, stepNo: r.stepNo, outcome: 'skipped', detail: { reason: 'holdout' } });
    else due.push(r);
  return { held, due };
}

/**
 * Records the held-out runs' steps as skipped (`holdout`) and returns the others, which get the
 * node's effect. The holdout's steps are recorded like anyone's, so results count them.
 */
export function skipHoldout(ctx: NodeContext, runs: RunState[]): RunState[] {
  const { held, due } = splitHoldout(ctx, runs);
  ctx.steps.update(held);
  return due;
}
