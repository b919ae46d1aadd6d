import { LineApiError } from './line-error.ts';
import type { SendVia, SentRequest } from './received.ts';
import { newQuoteToken, type SandboxState } from './state.ts';
import { PUSH_TARGET_PATTERN, USER_ID_PATTERN } from './users.ts';
import { optionalBoolean, Problems, requireArray, requireObject, requireString } from './validate.ts';
import { throwIfProblems, validateMessageList } from './validate-message.ts';

/** Per-request facts the HTTP layer hands to the domain functions. */
export interface SendContext {
  readonly requestId: string;
  readonly retryKey: string | null;
}

export interface SentMessage {
  id: string;
  quoteToken: string;
}

const UNIT_PATTERN = /^[a-zA-Z0-9_]{1,30}$/;

/**
 * Refuses a request whose retry key was already accepted: 409, `X-Line-Accepted-Request-Id`, and
 * for push the original `sentMessages`. LINE checks this before anything else in the body.
 */
export function guardRetryKey(state: SandboxState, ctx: SendContext): void {
  if (ctx.retryKey === null) return;
  const accepted = state.retryKeys.find(ctx.retryKey);
  if (accepted === undefined) return;
  throw new LineApiError('conflict', 'The retry key is already accepted', {
    headers: { 'x-line-accepted-request-id': accepted.requestId },
    extraBody: accepted.sentMessages ? { sentMessages: accepted.sentMessages } : {},
  });
}

function readCommon(p: Problems, body: unknown): Record<string, unknown> {
  if (!requireObject(p, body, 'body')) throwIfProblems(p);
  const b = body as Record<string, unknown>;
  validateMessageList(p, b.messages);
  optionalBoolean(p, b.notificationDisabled, 'notificationDisabled');
  return b;
}

function readUnit(p: Problems, state: SandboxState, units: unknown): string | null {
  if (units === undefined) return null;
  if (!requireArray(p, units, 'customAggregationUnits', 0, 1)) return null;
  const name = units[0];
  if (name === undefined) return null;
  if (typeof name !== 'string' || !UNIT_PATTERN.test(name)) {
    p.add('customAggregationUnits[0]', 'must match ^[a-zA-Z0-9_]{1,30}$');
    return null;
  }
  if (!state.quota.canUseUnit(name)) {
    throw new LineApiError(
      'bad-request',
      'The number of custom aggregation units used this month exceeds 1,000',
    );
  }
  return name;
}

/** Whether a recipient actually gets the message: friends yes, blocked no, unknown per config. */
export function isDeliverable(state: SandboxState, to: string): boolean {
  if (to.startsWith('C') || to.startsWith('R')) return true;
  const user = state.users.get(to);
  if (user !== undefined) return user.friend;
  return state.config.unknownRecipients === 'deliver';
}

/**
 * Records an accepted request for each recipient, after checking the monthly quota for the
 * deliverable ones. This is the moment a request "takes effect"; callers accept the retry key
 * right after, so that an injected after-effect fault still leaves the key accepted.
 */
export function deliver(
  state: SandboxState,
  via: SendVia,
  recipients: readonly string[],
  messages: readonly unknown[],
  ctx: SendContext,
  unit: string | null,
): void {
  const reaches = recipients.map((to) => isDeliverable(state, to));
  let deliverable = 0;
  for (const r of reaches) if (r) deliverable++;
  state.quota.reserve(deliverable, via);
  const request: SentRequest = {
    via,
    requestId: ctx.requestId,
    retryKey: ctx.retryKey,
    at: state.config.clock(),
    messages: state.config.record === 'full' ? messages : [],
    customAggregationUnit: unit,
  };
  recipients.forEach((to, i) => {
    if (reaches[i]) state.received.record(to, request);
    else state.undelivered.record(to, request);
  });
  state.quota.consume(deliverable, via);
  if (unit !== null) state.quota.useUnit(unit);
}

function sentMessagesFor(state: SandboxState, count: number): SentMessage[] {
  return Array.from({ length: count }, () => ({
    id: state.newMessageId(),
    quoteToken: newQuoteToken(state),
  }));
}

/** `POST /v2/bot/message/push` */
export function pushMessage(
  state: SandboxState,
  body: unknown,
  ctx: SendContext,
): { sentMessages: SentMessage[] } {
  guardRetryKey(state, ctx);
  const p = new Problems();
  const b = readCommon(p, body);
  if (requireString(p, b.to, 'to', 1, 33) && !PUSH_TARGET_PATTERN.test(b.to as string)) {
    p.add('to', 'must be a valid user, group or room ID');
  }
  const unit = readUnit(p, state, b.customAggregationUnits);
  throwIfProblems(p);
  const messages = b.messages as unknown[];
  deliver(state, 'push', [b.to as string], messages, ctx, unit);
  const sentMessages = sentMessagesFor(state, messages.length);
  if (ctx.retryKey !== null) state.retryKeys.accept(ctx.retryKey, ctx.requestId, sentMessages);
  return { sentMessages };
}

/** `POST /v2/bot/message/multicast`: up to 500 user ids. */
export function multicastMessage(
  state: SandboxState,
  body: unknown,
  ctx: SendContext,
): Record<string, never> {
  guardRetryKey(state, ctx);
  const p = new Problems();
  const b = readCommon(p, body);
  if (requireArray(p, b.to, 'to', 1, 500)) {
    b.to.forEach((id, i) => {
      if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) p.add(`to[${i}]`, 'must be a valid user ID');
    });
  }
  const unit = readUnit(p, state, b.customAggregationUnits);
  throwIfProblems(p);
  deliver(state, 'multicast', b.to as string[], b.messages as unknown[], ctx, unit);
  if (ctx.retryKey !== null) state.retryKeys.accept(ctx.retryKey, ctx.requestId);
  return {};
}

/** `POST /v2/bot/message/broadcast`: every friend. */
export function broadcastMessage(
  state: SandboxState,
  body: unknown,
  ctx: SendContext,
): Record<string, never> {
  guardRetryKey(state, ctx);
  const p = new Problems();
  const b = readCommon(p, body);
  throwIfProblems(p);
  const friends = state.users.friends().map((u) => u.userId);
  deliver(state, 'broadcast', friends, b.messages as unknown[], ctx, null);
  if (ctx.retryKey !== null) state.retryKeys.accept(ctx.retryKey, ctx.requestId);
  return {};
}

/** `POST /v2/bot/message/reply`: a live, unused reply token from a webhook event. Free of quota. */
export function replyMessage(
  state: SandboxState,
  body: unknown,
  ctx: SendContext,
): { sentMessages: SentMessage[] } {
  const p = new Problems();
  const b = readCommon(p, body);
  requireString(p, b.replyToken, 'replyToken', 1, 200);
  throwIfProblems(p);
  const to = state.replyTokens.consume(b.replyToken as string);
  if (to === undefined) throw new LineApiError('bad-request', 'Invalid reply token');
  const messages = b.messages as unknown[];
  deliver(state, 'reply', [to], messages, ctx, null);
  return { sentMessages: sentMessagesFor(state, messages.length) };
}

/** `POST /v2/bot/message/validate/{type}`: the message checks alone. */
export function validateMessageRequest(body: unknown): Record<string, never> {
  const p = new Problems();
  if (requireObject(p, body, 'body')) validateMessageList(p, body.messages);
  throwIfProblems(p);
  return {};
}
