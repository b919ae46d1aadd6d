import type { JobDefinition } from '../jobs/job-types.ts';
import { getSend, unfinishedSends } from '../messaging/send-status.ts';
import { deliverSend } from './deliver-send.ts';
import { loggableError } from './event-failures.ts';
import { SEND_JOB } from './line-adapter.ts';
import { channelsWithDueEvents, processPendingEvents } from './process-events.ts';
import { RICH_MENU_SYNC_JOB, syncRichMenus, workspacesToSync } from './rich-menu-sync.ts';
import { PROCESS_EVENTS_JOB } from './webhook-intake.ts';

/** The LINE channel's background jobs (declared in capability.ts). */
export const LINE_JOBS: JobDefinition[] = [
  {
    // Enqueued with the events by the webhook route, in the same transaction (data: the channel),
    // and every minute without data: each channel with events due (retries of failed events, and
    // any whose job a crash lost).
    name: PROCESS_EVENTS_JOB,
    schedule: '* * * * *',
    // A run processes every pending event of its channel: a batch's jobs for one channel are one run.
    batchSize: 50,
    coalesceKey: (data) => {
      const job = data as { workspaceId?: string; channelId?: string } | null;
      return JSON.stringify([job?.workspaceId, job?.channelId]);
    },
    run: async (data, context) => {
      const target = data as { workspaceId?: string; channelId?: string } | null;
      const channels =
        target?.workspaceId && target.channelId
          ? [{ workspaceId: target.workspaceId, channelId: target.channelId }]
          : await channelsWithDueEvents(context.database.db, new Date());
      for (const { workspaceId, channelId } of channels) {
        try {
          const result = await processPendingEvents(context, workspaceId, channelId);
          context.logger.debug({ workspaceId, channelId, ...result }, 'LINE webhook events processed');
        } catch (error) {
          // A failure here is not one event's (those are recorded on the event): the channel
          // could not be opened or the database failed. pg-boss retries a channel's job.
          context.logger.error(
            { workspaceId, channelId, error: loggableError(error) },
            'LINE webhook events not processed',
          );
          if (channels.length === 1 && target?.channelId) throw error;
        }
      }
    },
  },
  {
    name: SEND_JOB,
    // Batched, so a backlog of sends goes out back to back: at one job per fetch the worker
    // waited out the 2 s poll after every send (jobs/queue-setup.ts), and a journey, which makes
    // one send per node per 1,000 runs, delivered 500 messages a second whatever LINE allows
    // (journeys-sigkill.test.ts: 150 sends took 300 s). The sends of a batch run one after the
    // other; the same send queued twice (a resumed one) runs once. A LINE send takes seconds,
    // not minutes (LINE takes 100,000 recipients a second by multicast), so a batch of ten fits
    // a job's time limit; a send that outlives it is found by its lease, never sent twice.
    batchSize: 10,
    coalesceKey: (data) => {
      const job = data as { workspaceId?: string; sendId?: number } | null;
      return JSON.stringify([job?.workspaceId, job?.sendId]);
    },
    run: async (data, context) => {
      const { workspaceId, sendId } = data as { workspaceId: string; sendId: number };
      try {
        const outcome = await deliverSend(context, workspaceId, sendId);
        context.logger.info({ sendId, outcome }, 'LINE send job finished');
        if (outcome === 'held') {
          // Held for quiet hours: the job comes back when they end (a lost one: see onWorkerStart).
          const { resumeAt } = await getSend(context.database.db, workspaceId, sendId);
          if (resumeAt) await context.sendLater?.(SEND_JOB, { workspaceId, sendId }, new Date(resumeAt));
        }
      } catch (error) {
        // pg-boss retries the job; the log says why it failed.
        context.logger.error({ err: error, sendId }, 'LINE send job failed');
        throw error;
      }
    },
    // A worker killed mid-send leaves the send 'sending'; the next worker to start picks it up
    // (its lease arbitrates if several start at once).
    onWorkerStart: async ({ database, jobs, logger }) => {
      const unfinished = await unfinishedSends(database.db, 'line');
      for (const { workspaceId, sendId, resumeAt } of unfinished)
        await jobs.send(SEND_JOB, { workspaceId, sendId }, resumeAt ? { startAfter: resumeAt } : undefined);
      if (unfinished.length) logger.info({ sends: unfinished.length }, 'unfinished LINE sends resumed');
    },
  },
  {
    // Segment rich menus: enqueued when a menu's segment is assigned or changed, when the segment
    // jobs publish entries or exits (segments.changed), when a journey links or releases a menu
    // (in its transaction, rich-menu-assignments.ts), and every minute for any publication a
    // crash lost (the events themselves are in segment_membership_event).
    name: RICH_MENU_SYNC_JOB,
    schedule: '* * * * *',
    subscribe: ['segments.changed'],
    // A run syncs everything pending in its workspace (all of them without one).
    batchSize: 50,
    coalesceKey: (data) => (data as { workspaceId?: string } | null)?.workspaceId ?? '*',
    run: async (data, context) => {
      const workspaceId = (data as { workspaceId?: string } | null)?.workspaceId;
      const workspaces = workspaceId ? [workspaceId] : await workspacesToSync(context.database.db);
      for (const id of workspaces) {
        const result = await syncRichMenus(context, id);
        // LINE unavailable: the rows stay pending, the reason is in the API, and the next
        // minute's run tries again.
        if (result.status === 'retry_later')
          context.logger.warn({ workspaceId: id, ...result }, 'rich-menu sync waits for LINE');
        else if (
          result.events ||
          result.assignments ||
          result.full ||
          result.linked ||
          result.unlinked ||
          result.failed
        )
          context.logger.info({ workspaceId: id, ...result }, 'rich menus synced');
      }
    },
  },
];
