// LINE sends: the messaging core's sends with the LINE adapter, in the shapes the LINE API routes answer.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Jobs } from '../jobs/job-types.ts';
import { type CreateSendOptions, createSend as create, type SendInput } from '../messaging/create-send.ts';
import type { MessageStatus } from '../messaging/decisions.ts';
import {
  getSend as get,
  listSendDecisions,
  resumeSend as resume,
  type SendView,
} from '../messaging/send-status.ts';
import { lineAdapter } from './line-adapter.ts';

export type { SendInput, SendView };

/** A LINE send with its counts (another channel's send is not found here). */
export function getSend(db: Kysely<DB>, workspaceId: string, sendId: number): Promise<SendView> {
  return get(db, workspaceId, sendId, 'line');
}

/**
 * Creates a LINE send (shared content as multicast, personalised as push) and enqueues its
 * delivery; see the messaging core's createSend for the outbox and its guarantees.
 */
export function createSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  input: SendInput,
  options?: CreateSendOptions,
): Promise<SendView> {
  return create(db, jobs, lineAdapter, workspaceId, input, options);
}

export interface LineMessageStatus {
  seq: number;
  customerId: number;
  lineUserId: string | null;
  status: MessageStatus;
  reason: string | null;
  rule: string | null;
}

/** Per-message status, in outbox order: each recipient's decision with its LINE user id. */
export async function listSendMessages(
  db: Kysely<DB>,
  workspaceId: string,
  sendId: number,
  options: { afterSeq?: number; limit?: number; customerId?: number } = {},
): Promise<{ items: LineMessageStatus[] }> {
  const decisions = await listSendDecisions(db, workspaceId, sendId, { ...options, channel: 'line' });
  return {
    items: decisions.map((d) => ({
      seq: d.seq,
      customerId: d.customerId,
      lineUserId: d.address,
      status: d.status,
      reason: d.reason,
      rule: d.status === 'skipped' ? d.rule : null,
    })),
  };
}

/** Resumes a paused LINE send (after the operator raised the quota or the month turned). */
export function resumeSend(
  db: Kysely<DB>,
  jobs: Jobs | undefined,
  workspaceId: string,
  sendId: number,
): Promise<SendView> {
  return resume(db, jobs, lineAdapter, workspaceId, sendId);
}
