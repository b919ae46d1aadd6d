import { newUlid, randomHex } from './random.ts';
import type { SandboxState } from './state.ts';
import type { SendWebhookOptions, WebhookAttempt, WebhookEvent } from './webhooks.ts';

/**
 * Builds a user-sourced event with a fresh `webhookEventId` (ULID) and, for replyable events, a
 * reply token the sandbox will accept once within a minute.
 */
export function userEvent(
  state: SandboxState,
  type: string,
  userId: string,
  replyable: boolean,
  fields: Record<string, unknown> = {},
): WebhookEvent {
  const timestamp = state.config.clock();
  const event: WebhookEvent = {
    type,
    mode: 'active',
    timestamp,
    source: { type: 'user', userId },
    webhookEventId: newUlid(state.ids, timestamp),
    deliveryContext: { isRedelivery: false },
    ...fields,
  };
  if (replyable) event.replyToken = state.replyTokens.issue(userId);
  return event;
}

export function followEvent(state: SandboxState, userId: string, isUnblocked: boolean): WebhookEvent {
  return userEvent(state, 'follow', userId, true, { follow: { isUnblocked } });
}

export function unfollowEvent(state: SandboxState, userId: string): WebhookEvent {
  return userEvent(state, 'unfollow', userId, false);
}

export function textMessageEvent(state: SandboxState, userId: string, text: string): WebhookEvent {
  const message = { id: state.newMessageId(), type: 'text', quoteToken: randomHex(state.ids, 40), text };
  return userEvent(state, 'message', userId, true, { message });
}

export function postbackEvent(
  state: SandboxState,
  userId: string,
  data: string,
  params?: Record<string, string>,
): WebhookEvent {
  return userEvent(state, 'postback', userId, true, { postback: params ? { data, params } : { data } });
}

/** `accountLink`: a failed link carries no reply token, as on LINE. */
export function accountLinkEvent(
  state: SandboxState,
  userId: string,
  nonce: string,
  result: 'ok' | 'failed',
): WebhookEvent {
  return userEvent(state, 'accountLink', userId, result === 'ok', { link: { result, nonce } });
}

function send(
  state: SandboxState,
  event: WebhookEvent,
  options?: SendWebhookOptions,
): Promise<WebhookAttempt[]> {
  return state.webhooks.send(state.botUserId, [event], options);
}

/**
 * What a test user can do in the LINE app. Each updates the sandbox (friendship, account links)
 * and sends the matching signed webhook to the configured URL.
 */
export const userActions = {
  /** Adds the account as a friend (or unblocks it): `follow` with `isUnblocked` true for a returning user. */
  follow(state: SandboxState, userId: string, options?: SendWebhookOptions): Promise<WebhookAttempt[]> {
    const before = state.users.get(userId);
    const isUnblocked = before !== undefined && !before.friend && before.everFollowed;
    const { user } = state.users.setFriend(userId, true);
    user.everFollowed = true;
    return send(state, followEvent(state, userId, isUnblocked), options);
  },
  /** Blocks the account: `unfollow`; pushes to this user are then accepted but not delivered. */
  unfollow(state: SandboxState, userId: string, options?: SendWebhookOptions): Promise<WebhookAttempt[]> {
    state.users.setFriend(userId, false);
    return send(state, unfollowEvent(state, userId), options);
  },
  sendText(
    state: SandboxState,
    userId: string,
    text: string,
    options?: SendWebhookOptions,
  ): Promise<WebhookAttempt[]> {
    return send(state, textMessageEvent(state, userId, text), options);
  },
  postback(
    state: SandboxState,
    userId: string,
    data: string,
    params?: Record<string, string>,
    options?: SendWebhookOptions,
  ): Promise<WebhookAttempt[]> {
    return send(state, postbackEvent(state, userId, data, params), options);
  },
  /**
   * Completes the account-link dialog (`https://access.line.me/dialog/bot/accountLink?linkToken&nonce`):
   * a live link token gives `result: ok` for its user; a used or expired one gives nothing, since LINE
   * cannot tell whose it was. Returns undefined in that case.
   */
  completeAccountLink(
    state: SandboxState,
    linkToken: string,
    nonce: string,
    options?: SendWebhookOptions,
  ): Promise<WebhookAttempt[]> | undefined {
    const userId = state.linkTokens.consume(linkToken);
    if (userId === undefined) return undefined;
    return send(state, accountLinkEvent(state, userId, nonce, 'ok'), options);
  },
};
