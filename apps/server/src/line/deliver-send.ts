import type { JobContext } from '../jobs/job-types.ts';
import {
  type DeliverOptions,
  type DeliverResult,
  deliverSend as deliver,
} from '../messaging/deliver-send.ts';
import { lineAdapter } from './line-adapter.ts';

export type { DeliverOptions };

/** Delivers a LINE send through the messaging core (messaging/deliver-send.ts) with the LINE adapter. */
export function deliverSend(
  context: JobContext,
  workspaceId: string,
  sendId: number,
  options: DeliverOptions = {},
): Promise<DeliverResult> {
  return deliver(context, lineAdapter, workspaceId, sendId, options);
}
