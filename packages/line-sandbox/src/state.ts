import { AudienceStore } from './audiences.ts';
import { FaultInjector } from './faults.ts';
import { LoginStore } from './login.ts';
import { NarrowcastStore } from './narrowcast-store.ts';
import { OneTimeTokens } from './one-time-tokens.ts';
import { type LineSandboxOptions, resolveConfig, type SandboxConfig } from './options.ts';
import { MessageQuota } from './quota.ts';
import { createRandom, newUserId, newUuid, type Random, randomHex } from './random.ts';
import { RateLimiter } from './rate-limit.ts';
import { ReceivedLog } from './received.ts';
import { RetryKeyStore } from './retry-keys.ts';
import { RichMenuStore } from './rich-menus.ts';
import { UserRegistry } from './users.ts';
import { WebhookSender } from './webhooks.ts';

/** Everything the sandbox knows; one per running sandbox (one LINE channel). */
export interface SandboxState {
  readonly config: SandboxConfig;
  readonly ids: Random;
  /** The bot's own user id, sent as `destination` in webhooks. */
  readonly botUserId: string;
  readonly users: UserRegistry;
  /** Deliveries to friends (and, by default, to unregistered ids). */
  readonly received: ReceivedLog;
  /** Requests accepted for users who had blocked the account (or unknown ids with `unknownRecipients: 'drop'`). */
  readonly undelivered: ReceivedLog;
  readonly retryKeys: RetryKeyStore;
  readonly rateLimiter: RateLimiter;
  readonly quota: MessageQuota;
  readonly faults: FaultInjector;
  readonly replyTokens: OneTimeTokens;
  readonly linkTokens: OneTimeTokens;
  /** The LINE Login channel: its key, codes and tokens. */
  readonly login: LoginStore;
  readonly richMenus: RichMenuStore;
  readonly audiences: AudienceStore;
  readonly narrowcasts: NarrowcastStore;
  readonly webhooks: WebhookSender;
  /** Accepted channel access tokens; empty = accept any. */
  readonly requiredTokens: Set<string>;
  /** API request counts by route key (`POST /v2/bot/message/multicast`), answered or not. */
  readonly requestCounts: Map<string, number>;
  newRequestId(): string;
  newMessageId(): string;
}

export const REPLY_TOKEN_TTL_MS = 60 * 1000;
export const LINK_TOKEN_TTL_MS = 10 * 60 * 1000;

export function createState(options: LineSandboxOptions): SandboxState {
  const config = resolveConfig(options);
  const ids = createRandom(config.seed);
  const clock = config.clock;
  let messageCounter = 0;
  const users = new UserRegistry(ids);
  for (const user of options.users ?? []) users.create(user);
  const state: SandboxState = {
    config,
    ids,
    botUserId: newUserId(ids),
    users,
    received: new ReceivedLog(config.record),
    undelivered: new ReceivedLog(config.record),
    retryKeys: new RetryKeyStore(clock),
    rateLimiter: new RateLimiter(clock, options.rateLimits),
    quota: new MessageQuota(clock, options.monthlyQuota ?? null),
    faults: new FaultInjector(config.seed ^ 0x5eed, options.faults),
    replyTokens: new OneTimeTokens(clock, ids, REPLY_TOKEN_TTL_MS),
    linkTokens: new OneTimeTokens(clock, ids, LINK_TOKEN_TTL_MS),
    login: new LoginStore({
      channelId: config.loginChannelId,
      channelSecret: options.loginChannelSecret ?? 'sandbox-login-channel-secret',
      clock,
      random: ids,
    }),
    richMenus: new RichMenuStore(ids),
    audiences: new AudienceStore(clock),
    narrowcasts: new NarrowcastStore(),
    webhooks: new WebhookSender({
      clock,
      random: ids,
      url: options.webhookUrl,
      channelSecret: options.channelSecret ?? 'sandbox-channel-secret',
      redelivery: options.webhookRedelivery ?? false,
      redeliveryDelaysMs: config.webhookRedeliveryDelaysMs,
      timeoutMs: config.webhookTimeoutMs,
    }),
    requiredTokens: new Set(options.requireTokens ?? []),
    requestCounts: new Map(),
    newRequestId: () => newUuid(ids),
    newMessageId: () => {
      messageCounter++;
      return `5${String(messageCounter).padStart(17, '0')}`;
    },
  };
  return state;
}

/** A quote token as LINE returns with each sent message. */
export function newQuoteToken(state: SandboxState): string {
  return randomHex(state.ids, 40);
}
