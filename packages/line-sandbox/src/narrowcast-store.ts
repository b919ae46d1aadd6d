// What the sandbox remembers of accepted narrowcasts. The sandbox state holds it; the narrowcast
// handler (narrowcast.ts) fills it, so the store lives apart from the handler.

/** The body of `GET /v2/bot/message/progress/narrowcast`. */
export interface NarrowcastProgress {
  phase: 'waiting' | 'sending' | 'succeeded' | 'failed';
  successCount?: number;
  failureCount?: number;
  targetCount?: number;
  failedDescription?: string;
  errorCode?: number;
  acceptedTime: string;
  completedTime?: string;
}

/** Accepted narrowcasts by request id, with the users they targeted (for `redelivery` recipients). */
export class NarrowcastStore {
  readonly progress = new Map<string, NarrowcastProgress>();
  readonly targets = new Map<string, string[]>();

  clear(): void {
    this.progress.clear();
    this.targets.clear();
  }
}
