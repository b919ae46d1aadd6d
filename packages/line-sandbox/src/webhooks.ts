import { createHmac } from 'node:crypto';
import type { Random } from './random.ts';

/** A webhook event as LINE sends it; the type-specific fields ride along. */
export interface WebhookEvent {
  type: string;
  mode: 'active' | 'standby';
  timestamp: number;
  source: { type: 'user' | 'group' | 'room'; userId?: string; groupId?: string; roomId?: string };
  webhookEventId: string;
  deliveryContext: { isRedelivery: boolean };
  replyToken?: string;
  [field: string]: unknown;
}

/** One HTTP attempt to deliver webhook events. */
export interface WebhookAttempt {
  at: number;
  url: string;
  /** HTTP status, or null when the target could not be reached or timed out. */
  status: number | null;
  error: string | undefined;
  ok: boolean;
  isRedelivery: boolean;
  eventIds: string[];
  body: string;
  signature: string;
  durationMs: number;
}

/** How to deliver a batch of events. */
export interface SendWebhookOptions {
  /** Target URL; defaults to the configured webhook URL. */
  url?: string;
  /** One request per event instead of one request for all. */
  split?: boolean;
  /** Shuffle the events (or, with `split`, the requests) with the seeded stream. */
  reorder?: boolean;
  /** Send each request this many extra times, byte for byte (network duplicates, `isRedelivery: false`). */
  duplicates?: number;
  /** Send these as redeliveries (`isRedelivery: true`). */
  isRedelivery?: boolean;
  /** Override the signature (to test that a bad one is refused). */
  signature?: string;
}

export interface WebhookSenderOptions {
  clock: () => number;
  random: Random;
  url: string | undefined;
  channelSecret: string;
  redelivery: boolean;
  redeliveryDelaysMs: readonly number[];
  timeoutMs: number;
}

const KEEP_ATTEMPTS = 10_000;
const KEEP_EVENTS = 10_000;

/** `x-line-signature`: base64 HMAC-SHA256 of the raw body, keyed with the channel secret. */
export function signWebhookBody(body: string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

/**
 * Sends signed webhooks and, when redelivery is on, resends events whose request got a non-2xx
 * answer or no answer in time, with `isRedelivery: true` and the same `webhookEventId`.
 */
export class WebhookSender {
  url: string | undefined;
  channelSecret: string;
  redelivery: boolean;
  readonly attempts: WebhookAttempt[] = [];
  readonly #events = new Map<string, WebhookEvent>();
  readonly #o: WebhookSenderOptions;
  readonly #timers = new Set<NodeJS.Timeout>();
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];
  #closed = false;

  constructor(options: WebhookSenderOptions) {
    this.#o = options;
    this.url = options.url;
    this.channelSecret = options.channelSecret;
    this.redelivery = options.redelivery;
  }

  /** Delivers events to the target; resolves with the first attempts (redeliveries follow in the background). */
  async send(
    destination: string,
    events: WebhookEvent[],
    options: SendWebhookOptions = {},
  ): Promise<WebhookAttempt[]> {
    const url = options.url ?? this.url;
    if (url === undefined) throw new Error('no webhook URL: pass options.url or configure webhookUrl');
    for (const e of events) this.#remember(e);
    const marked = events.map((e) =>
      options.isRedelivery ? { ...e, deliveryContext: { isRedelivery: true } } : e,
    );
    let batches = options.split ? marked.map((e) => [e]) : [marked];
    if (options.reorder)
      batches = options.split ? this.#shuffle(batches) : batches.map((b) => this.#shuffle(b));
    const attempts: WebhookAttempt[] = [];
    for (const batch of batches) {
      const body = JSON.stringify({ destination, events: batch });
      for (let copy = 0; copy <= (options.duplicates ?? 0); copy++) {
        attempts.push(await this.#post(url, destination, body, batch, options.signature, 0));
      }
    }
    return attempts;
  }

  /** Sends earlier events again as redeliveries (same ids, `isRedelivery: true`). */
  async redeliver(
    destination: string,
    webhookEventIds: string[],
    options: SendWebhookOptions = {},
  ): Promise<WebhookAttempt[]> {
    const events = webhookEventIds.map((id) => {
      const event = this.#events.get(id);
      if (event === undefined) throw new Error(`redeliver: unknown webhookEventId ${id}`);
      return event;
    });
    return this.send(destination, events, { ...options, isRedelivery: true });
  }

  /** Resolves once no webhook is in flight or waiting for redelivery. */
  idle(): Promise<void> {
    if (this.#inFlight === 0 && this.#timers.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#notifyIdle();
  }

  clear(): void {
    this.attempts.length = 0;
    this.#events.clear();
  }

  async #post(
    url: string,
    destination: string,
    body: string,
    events: WebhookEvent[],
    signatureOverride: string | undefined,
    redeliveryRound: number,
  ): Promise<WebhookAttempt> {
    this.#inFlight++;
    const signature = signatureOverride ?? signWebhookBody(body, this.channelSecret);
    const at = this.#o.clock();
    const started = performance.now();
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-line-signature': signature,
          'user-agent': 'LineBotWebhook/2.0',
        },
        body,
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      error = e instanceof Error && e.name === 'TimeoutError' ? 'request_timeout' : 'could_not_connect';
    }
    const ok = status !== null && status >= 200 && status < 300;
    const isRedelivery = events.some((e) => e.deliveryContext.isRedelivery);
    const attempt: WebhookAttempt = {
      at,
      url,
      status,
      error: error ?? (ok ? undefined : 'error_status_code'),
      ok,
      isRedelivery,
      eventIds: events.map((e) => e.webhookEventId),
      body,
      signature,
      durationMs: performance.now() - started,
    };
    this.attempts.push(attempt);
    if (this.attempts.length > KEEP_ATTEMPTS) this.attempts.shift();
    if (!ok && this.redelivery && signatureOverride === undefined)
      this.#scheduleRedelivery(url, destination, events, redeliveryRound);
    this.#inFlight--;
    this.#notifyIdle();
    return attempt;
  }

  #scheduleRedelivery(url: string, destination: string, events: WebhookEvent[], round: number): void {
    const delay = this.#o.redeliveryDelaysMs[round];
    if (delay === undefined || this.#closed) return;
    const redelivered = events.map((e) => ({ ...e, deliveryContext: { isRedelivery: true } }));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const body = JSON.stringify({ destination, events: redelivered });
      void this.#post(url, destination, body, redelivered, undefined, round + 1);
    }, delay);
    this.#timers.add(timer);
  }

  #notifyIdle(): void {
    if (this.#inFlight !== 0 || this.#timers.size !== 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #remember(event: WebhookEvent): void {
    this.#events.set(event.webhookEventId, event);
    if (this.#events.size > KEEP_EVENTS) {
      const oldest = this.#events.keys().next().value;
      if (oldest !== undefined) this.#events.delete(oldest);
    }
  }

  #shuffle<T>(items: T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#o.random.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}
