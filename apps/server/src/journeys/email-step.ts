// An email send node for a group of runs: the mail (a saved template as it is now, or the node's
// inline MJML) rendered for each customer, its links tracked under the node's origin, and one
// messaging-core send on the email channel in the engine's transaction. Consent, suppression,
// the cap and quiet hours are the core's, decided when each message is planned; List-Unsubscribe,
// the footer and DKIM are the email adapter's, as for any marketing mail.
import { emailAdapter } from '../email/email-adapter.ts';
import { emailSenderId, loadEmailSource } from '../email/email-source.ts';
import { renderEmailAudience } from '../email/personalize-email.ts';
import { createSendInTransaction } from '../messaging/create-send.ts';
import type { EmailSendNode } from './definition.ts';
import type { NodeContext } from './node-context.ts';
import type { RunState } from './run-state.ts';

/**
 * Sends `node`'s mail to the runs in `due` (their steps are new and none is held out), under the
 * derived idempotency key `key`. A workspace without a sender (deleted since the save) skips
 * the steps `no_email_sender`; a deleted template `no_email_template`; a customer whose mail does
 * not render `render_failed`, as LINE steps do.
 */
export async function sendEmailStep(
  ctx: NodeContext,
  node: EmailSendNode,
  due: RunState[],
  send: { key: string; origin: string },
): Promise<void> {
  const steps = due.map((r) => ({ runId: r.id, stepNo: r.stepNo }));
  const skipAll = (reason: string) =>
    ctx.steps.update(steps.map((s) => ({ ...s, outcome: 'skipped', detail: { reason } })));
  const senderId = await emailSenderId(ctx.tx, ctx.workspaceId);
  if (!senderId) return skipAll('no_email_sender');
  const mail = await loadEmailSource(ctx.tx, ctx.workspaceId, node.email);
  if (!mail) return skipAll('no_email_template');
  const linkBase = await ctx.linkBase();
  const audience = await renderEmailAudience(
    ctx.tx,
    ctx.secrets,
    ctx.workspaceId,
    mail.content,
    due.map((r) => r.customerId),
    {
      origin: send.origin,
      marketing: mail.kind === 'marketing' && linkBase !== null,
      linkBase: linkBase ?? '',
    },
  );
  const failed = new Map<number, string>([
    ...audience.failed.map((f) => [f.customerId, `${f.path}: ${f.reason}`] as const),
    ...audience.missing.map((id) => [id, 'customer not found'] as const),
  ]);
  const recipients = audience.customerIds.length + (audience.personalized?.length ?? 0);
  const made =
    recipients === 0
      ? undefined
      : await createSendInTransaction(
          ctx.tx,
          ctx.jobs,
          emailAdapter,
          ctx.workspaceId,
          {
            channelId: senderId,
            messages: [mail.content],
            customerIds: audience.customerIds,
            ...(audience.personalized ? { personalized: audience.personalized } : {}),
            idempotencyKey: send.key,
            origin: send.origin,
            kind: mail.kind,
            quietHours: ctx.definition.quietHours,
          },
          // The runs' customers: each run is locked, and its foreign key holds its customer.
          { customersKnown: true },
        );
  ctx.steps.update(
    due.map((r, i) => {
      const problem = failed.get(r.customerId);
      if (problem !== undefined || !made)
        return { ...steps[i]!, outcome: 'skipped', detail: { reason: 'render_failed', problem } };
      return { ...steps[i]!, outcome: 'sent', sendId: made.id };
    }),
  );
}
