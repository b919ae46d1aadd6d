// A send node for a group of runs: one messaging-core send per channel for all the runs whose
// step is new (LINE here, email in email-step.ts, and for `line_then_email` both, each customer
// on the channel channel-choice.ts picks). Keys are derived from what the send is: the journey,
// version, node and the (run, step) pairs it covers, plus the channel for a split node.
import { createHash } from 'node:crypto';
import { lineAdapter } from '../line/line-adapter.ts';
import { createSendInTransaction } from '../messaging/create-send.ts';
import { type ChannelChoice, chooseChannels } from './channel-choice.ts';
import { nodeOrigin } from './click-branch.ts';
import type { ChannelChoiceNode, EmailSendNode, SendNode } from './definition.ts';
import { sendEmailStep } from './email-step.ts';
import { skipHoldout } from './holdout.ts';
import { sendContent } from './journey-content.ts';
import type { NodeContext } from './node-context.ts';
import type { RunState } from './run-state.ts';

interface SendIdentity {
  key: string;
  origin: string;
}

/** Sends `node` to the runs (their steps just recorded); the holdout is skipped first. */
export async function sendNode(ctx: NodeContext, node: SendNode, runs: RunState[]): Promise<void> {
  // The holdout never reaches the messaging core.
  const due = skipHoldout(ctx, runs);
  if (!due.length) return;
  const digest = createHash('sha256')
    .update(due.map((r) => `${r.id}.${r.stepNo}`).join(','))
    .digest('hex')
    .slice(0, 32);
  const send = {
    origin: nodeOrigin(ctx.journeyId, ctx.version, node.id),
    key: `journey:${ctx.journeyId}:v${ctx.version}:${node.id}:${digest}`,
  };
  if (node.channel === 'email') return sendEmailStep(ctx, node, due, send);
  if (node.channel === 'line_then_email') return sendByChoice(ctx, node, due, send);
  return sendLineStep(ctx, node, due, send);
}

/**
 * LINE to the reachable friends, the mail to the others, as two sends keyed `<key>:line` and
 * `<key>:email`; then each step's detail records the channel and why (`channel`, `channelReason`).
 */
async function sendByChoice(
  ctx: NodeContext,
  node: ChannelChoiceNode,
  due: RunState[],
  send: SendIdentity,
): Promise<void> {
  const channelId = node.channelId ?? (await ctx.defaultChannel());
  const choices = await chooseChannels(
    ctx.tx,
    ctx.workspaceId,
    channelId !== null,
    due.map((r) => r.customerId),
  );
  const choiceOf = (r: RunState): ChannelChoice =>
    choices.get(r.customerId) ?? { channel: 'email', reason: 'no_line_identity' };
  const line = due.filter((r) => choiceOf(r).channel === 'line');
  const email = due.filter((r) => choiceOf(r).channel === 'email');
  if (line.length) await sendLineStep(ctx, node, line, { ...send, key: `${send.key}:line` });
  if (email.length) {
    const mail: EmailSendNode = {
      id: node.id,
      type: 'send',
      channel: 'email',
      email: node.email,
      next: node.next,
    };
    await sendEmailStep(ctx, mail, email, { ...send, key: `${send.key}:email` });
  }
  for (const r of due)
    ctx.steps.mergeDetail(r.id, r.stepNo, {
      channel: choiceOf(r).channel,
      channelReason: choiceOf(r).reason,
    });
}

/** The node's LINE messages (Liquid rendered, links tracked) to `due` in one send. */
async function sendLineStep(
  ctx: NodeContext,
  node: { messages: unknown[]; channelId?: string },
  due: RunState[],
  send: SendIdentity,
): Promise<void> {
  const steps = due.map((r) => ({ runId: r.id, stepNo: r.stepNo }));
  const channelId = node.channelId ?? (await ctx.defaultChannel());
  if (!channelId) {
    const detail = { reason: 'no_line_channel' };
    return ctx.steps.update(steps.map((s) => ({ ...s, outcome: 'skipped', detail })));
  }
  const content = await sendContent(
    ctx,
    node.messages,
    send.origin,
    due.map((r) => r.customerId),
  );
  const failed = new Map(content.failed.map((f) => [f.customerId, f.reason]));
  const made =
    content.shared.length + content.personalized.length === 0
      ? undefined
      : await createSendInTransaction(
          ctx.tx,
          ctx.jobs,
          lineAdapter,
          ctx.workspaceId,
          {
            channelId,
            // The shared content (also the shape every personalised copy was rendered from).
            messages: node.messages,
            customerIds: content.shared,
            ...(content.personalized.length ? { personalized: content.personalized } : {}),
            idempotencyKey: send.key,
            origin: send.origin,
            quietHours: ctx.definition.quietHours,
          },
          // The runs' customers: each run is locked, and its foreign key holds its customer.
          { customersKnown: true },
        );
  ctx.steps.update(
    due.map((r, i) => {
      const reason = failed.get(r.customerId);
      if (reason !== undefined || !made)
        return { ...steps[i]!, outcome: 'skipped', detail: { reason: 'render_failed', problem: reason } };
      return { ...steps[i]!, outcome: 'sent', sendId: made.id };
    }),
  );
}
