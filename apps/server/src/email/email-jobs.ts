import type { JobDefinition } from '../jobs/job-types.ts';
import { deliverSend } from '../messaging/deliver-send.ts';
import { getSend, unfinishedSends } from '../messaging/send-status.ts';
import { clockOf } from '../shared/clock.ts';
import { EMAIL_SEND_JOB, emailAdapter } from './email-adapter.ts';

/** The email channel's background jobs (declared in capability.ts). */
export const EMAIL_JOBS: JobDefinition[] = [
  {
    name: EMAIL_SEND_JOB,
    run: async (data, context) => {
      const { workspaceId, sendId } = data as { workspaceId: string; sendId: number };
      const clock = clockOf(context);
      const outcome = await deliverSend(context, emailAdapter, workspaceId, sendId, {
        now: () => clock.now(),
      });
      context.logger.info({ sendId, outcome }, 'email send job finished');
      if (outcome === 'held') {
        // Held for quiet hours: the job comes back when they end (a lost one: see onWorkerStart).
        const { resumeAt } = await getSend(context.database.db, workspaceId, sendId, 'email');
        if (resumeAt) await context.sendLater?.(EMAIL_SEND_JOB, { workspaceId, sendId }, new Date(resumeAt));
      }
    },
    // A worker killed mid-send leaves the send 'sending'; the next worker to start resumes it,
    // resending its pending requests with their Message-IDs.
    onWorkerStart: async ({ database, jobs, logger }) => {
      const unfinished = await unfinishedSends(database.db, 'email');
      for (const { workspaceId, sendId, resumeAt } of unfinished)
        await jobs.send(
          EMAIL_SEND_JOB,
          { workspaceId, sendId },
          resumeAt ? { startAfter: resumeAt } : undefined,
        );
      if (unfinished.length) logger.info({ sends: unfinished.length }, 'unfinished email sends resumed');
    },
  },
];
