import type { AddressInfo } from 'node:net';
import { channelRoutes } from './channel-routes.ts';
import { controlRoutes } from './control-routes.ts';
import type { FaultInjector } from './faults.ts';
import { createHttpServer, registerApi } from './http.ts';
import type { IdTokenOverrides } from './login.ts';
import { loginRoutes } from './login-routes.ts';
import { messageRoutes } from './message-routes.ts';
import type { LineSandboxOptions } from './options.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ReceivedMessage } from './received.ts';
import { richMenuRoutes } from './rich-menu-routes.ts';
import {
  applySettings,
  collectStats,
  resetState,
  type SandboxSettings,
  type SandboxStats,
} from './settings.ts';
import { createState } from './state.ts';
import type { UserRegistry } from './users.ts';
import {
  accountLinkEvent,
  followEvent,
  postbackEvent,
  textMessageEvent,
  unfollowEvent,
  userActions,
} from './webhook-events.ts';
import type { SendWebhookOptions, WebhookAttempt, WebhookEvent } from './webhooks.ts';

export type { SandboxSettings, SandboxStats } from './settings.ts';

/** A running sandbox, as `startLineSandbox` returns it. */
export interface LineSandbox {
  readonly url: string;
  readonly port: number;
  /** The bot's user id, sent as `destination` in webhooks. */
  readonly botUserId: string;
  readonly channelSecret: string;
  readonly users: UserRegistry;
  readonly faults: FaultInjector;
  readonly rateLimits: RateLimiter;
  /** What reached the user, oldest first (throws when recording counts only). */
  received(userId: string): ReceivedMessage[];
  receivedCount(userId: string): number;
  /** Requests accepted for this user but not delivered (they had blocked the account). */
  undelivered(userId: string): ReceivedMessage[];
  /** Up to `limit` user ids that received more than one request. */
  duplicates(limit?: number): string[];
  stats(): SandboxStats;
  configure(settings: SandboxSettings): void;
  /** Event builders with fresh ids and reply tokens, for {@link LineSandbox.sendWebhook}. */
  readonly events: {
    follow(userId: string, isUnblocked?: boolean): WebhookEvent;
    unfollow(userId: string): WebhookEvent;
    text(userId: string, text: string): WebhookEvent;
    postback(userId: string, data: string, params?: Record<string, string>): WebhookEvent;
    accountLink(userId: string, nonce: string, result?: 'ok' | 'failed'): WebhookEvent;
  };
  /** Signs and posts events; resolves with the first attempts. */
  sendWebhook(events: WebhookEvent[], options?: SendWebhookOptions): Promise<WebhookAttempt[]>;
  /** Resends earlier events with `isRedelivery: true` and the same `webhookEventId`. */
  redeliver(webhookEventIds: string[], options?: SendWebhookOptions): Promise<WebhookAttempt[]>;
  webhookAttempts(): readonly WebhookAttempt[];
  /** Resolves when no webhook is in flight or waiting to be redelivered. */
  webhooksIdle(): Promise<void>;
  /** User actions: update the sandbox and send the matching webhook. */
  follow(userId: string, options?: SendWebhookOptions): Promise<WebhookAttempt[]>;
  unfollow(userId: string, options?: SendWebhookOptions): Promise<WebhookAttempt[]>;
  sendText(userId: string, text: string, options?: SendWebhookOptions): Promise<WebhookAttempt[]>;
  postback(
    userId: string,
    data: string,
    params?: Record<string, string>,
    options?: SendWebhookOptions,
  ): Promise<WebhookAttempt[]>;
  /** The user finishes the account-link dialog; undefined when the link token is unknown, used or expired. */
  completeAccountLink(
    linkToken: string,
    nonce: string,
    options?: SendWebhookOptions,
  ): Promise<WebhookAttempt[]> | undefined;
  /** A reply token for `userId`, as if it came with an event (valid once, for one minute). */
  issueReplyToken(userId: string): string;
  /** The rich menu the user sees: their own link, else the default. */
  richMenuOf(userId: string): string | undefined;
  /** The LINE Login channel (LIFF apps belong to it). */
  readonly login: {
    readonly channelId: string;
    readonly channelSecret: string;
    /** The JWKS served at `/oauth2/v2.1/certs`. */
    jwks(): { keys: Record<string, unknown>[] };
    /**
     * An ES256 ID token for a registered user, as `liff.getIDToken()` returns it in a LIFF app
     * (`alg: 'HS256'`: signed with the channel secret, as web login's); `overrides` make it wrong
     * on purpose (exp, aud, iss, nonce, signingKey, hmacSecret, `alg: 'none'`).
     */
    mintIdToken(userId: string, overrides?: IdTokenOverrides): string;
    /** `/oauth2/v2.1/authorize` logs this user in at once (undefined: show the picker). */
    autoConsent(userId: string | undefined): void;
  };
  /** Forgets messages, users, menus, audiences, keys, quota usage, faults and webhook history. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a LINE Messaging API sandbox on 127.0.0.1 (a free port by default).
 * @example
 * const line = await startLineSandbox({ webhookUrl: `${app}/line/webhook/1`, seed: 1 });
 * const client = new messagingApi.MessagingApiClient({ channelAccessToken: 't', baseURL: line.url });
 * await client.pushMessage({ to: user.userId, messages: [{ type: 'text', text: 'hi' }] });
 * expect(line.received(user.userId)).toHaveLength(1);
 * await line.close();
 */
export async function startLineSandbox(options: LineSandboxOptions = {}): Promise<LineSandbox> {
  const state = createState(options);
  const app = createHttpServer(state);
  for (const route of [...messageRoutes(state), ...richMenuRoutes(state), ...channelRoutes(state)])
    registerApi(app, state, route);
  loginRoutes(app, state);
  controlRoutes(app, state);
  await app.listen({ port: state.config.port, host: state.config.host });
  const port = (app.server.address() as AddressInfo).port;
  const host = state.config.host.includes(':') ? `[${state.config.host}]` : state.config.host;
  const send = (events: WebhookEvent[], o?: SendWebhookOptions) =>
    state.webhooks.send(state.botUserId, events, o);
  return {
    url: `http://${host}:${port}`,
    port,
    botUserId: state.botUserId,
    get channelSecret() {
      return state.webhooks.channelSecret;
    },
    users: state.users,
    faults: state.faults,
    rateLimits: state.rateLimiter,
    received: (userId) => state.received.list(userId),
    receivedCount: (userId) => state.received.count(userId),
    undelivered: (userId) => state.undelivered.list(userId),
    duplicates: (limit) => state.received.duplicates(limit),
    stats: () => collectStats(state),
    configure: (settings) => applySettings(state, settings),
    events: {
      follow: (userId, isUnblocked = false) => followEvent(state, userId, isUnblocked),
      unfollow: (userId) => unfollowEvent(state, userId),
      text: (userId, text) => textMessageEvent(state, userId, text),
      postback: (userId, data, params) => postbackEvent(state, userId, data, params),
      accountLink: (userId, nonce, result = 'ok') => accountLinkEvent(state, userId, nonce, result),
    },
    sendWebhook: send,
    redeliver: (ids, o) => state.webhooks.redeliver(state.botUserId, ids, o),
    webhookAttempts: () => state.webhooks.attempts,
    webhooksIdle: () => state.webhooks.idle(),
    follow: (userId, o) => userActions.follow(state, userId, o),
    unfollow: (userId, o) => userActions.unfollow(state, userId, o),
    sendText: (userId, text, o) => userActions.sendText(state, userId, text, o),
    postback: (userId, data, params, o) => userActions.postback(state, userId, data, params, o),
    completeAccountLink: (token, nonce, o) => userActions.completeAccountLink(state, token, nonce, o),
    issueReplyToken: (userId) => state.replyTokens.issue(userId),
    richMenuOf: (userId) => state.richMenus.effectiveMenuId(userId),
    login: {
      channelId: state.login.channelId,
      get channelSecret() {
        return state.login.channelSecret;
      },
      jwks: () => state.login.jwks(),
      mintIdToken: (userId, overrides) => {
        const user = state.users.get(userId);
        if (user === undefined) throw new Error(`mintIdToken: user ${userId} is not registered`);
        return state.login.mintIdToken(user, overrides);
      },
      autoConsent: (userId) => {
        state.login.autoConsentUserId = userId;
      },
    },
    reset: () => resetState(state),
    close: async () => {
      state.webhooks.close();
      await app.close();
    },
  };
}
