import { LineApiError } from './line-error.ts';
import type { NarrowcastProgress } from './narrowcast-store.ts';
import { deliver, guardRetryKey, isDeliverable, type SendContext } from './send-messages.ts';
import type { SandboxState } from './state.ts';
import type { SandboxUser } from './users.ts';
import { isObject, Problems, requireObject } from './validate.ts';
import { throwIfProblems, validateMessageList } from './validate-message.ts';

type Recipient = (user: SandboxUser) => boolean;

function ageOf(label: unknown): number | undefined {
  return typeof label === 'string' && /^age_\d+$/.test(label) ? Number(label.slice(4)) : undefined;
}

/** Builds a predicate from `recipient`, noting any audience too small to narrowcast to. */
function compileRecipient(
  state: SandboxState,
  r: unknown,
  at: string,
  p: Problems,
  small: string[],
): Recipient {
  if (!requireObject(p, r, at)) return () => false;
  if (r.type === 'audience') {
    const audience = state.audiences.get(Number(r.audienceGroupId));
    if (audience === undefined) {
      p.add(`${at}.audienceGroupId`, 'audience group not found');
      return () => false;
    }
    if (audience.members.size < state.config.narrowcastMinimumAudience)
      small.push(String(audience.audienceGroupId));
    return (u) => audience.members.has(u.userId);
  }
  if (r.type === 'redelivery') {
    const ids = new Set(state.narrowcasts.targets.get(String(r.requestId)) ?? []);
    if (ids.size === 0) p.add(`${at}.requestId`, 'no narrowcast with this request id');
    return (u) => ids.has(u.userId);
  }
  if (r.type === 'operator')
    return compileOperator(r, at, p, (x, a) => compileRecipient(state, x, a, p, small));
  p.add(`${at}.type`, 'must be audience, redelivery or operator');
  return () => false;
}

function compileOperator(
  o: Record<string, unknown>,
  at: string,
  p: Problems,
  compile: (x: unknown, at: string) => Recipient,
): Recipient {
  if (Array.isArray(o.and)) {
    const parts = o.and.map((x, i) => compile(x, `${at}.and[${i}]`));
    return (u) => parts.every((f) => f(u));
  }
  if (Array.isArray(o.or)) {
    const parts = o.or.map((x, i) => compile(x, `${at}.or[${i}]`));
    return (u) => parts.some((f) => f(u));
  }
  if (o.not !== undefined) {
    const inner = compile(o.not, `${at}.not`);
    return (u) => !inner(u);
  }
  p.add(at, 'an operator needs and, or or not');
  return () => false;
}

/** Demographic filters match only users whose attribute is known, as LINE's estimates do. */
function compileDemographic(d: unknown, at: string, p: Problems): Recipient {
  if (!requireObject(p, d, at)) return () => false;
  const oneOf = Array.isArray(d.oneOf) ? d.oneOf.map(String) : [];
  switch (d.type) {
    case 'gender':
      return (u) => u.gender !== undefined && oneOf.includes(u.gender);
    case 'appType':
      return (u) => u.appType !== undefined && oneOf.includes(u.appType);
    case 'area':
      return (u) => u.area !== undefined && oneOf.includes(u.area);
    case 'age': {
      const gte = ageOf(d.gte) ?? 0;
      const lt = ageOf(d.lt) ?? Number.POSITIVE_INFINITY;
      return (u) => u.age !== undefined && u.age >= gte && u.age < lt;
    }
    case 'subscriptionPeriod':
      return () => true;
    case 'operator':
      return compileOperator(d, at, p, (x, a) => compileDemographic(x, a, p));
    default:
      p.add(`${at}.type`, 'unsupported demographic filter');
      return () => false;
  }
}

/**
 * `POST /v2/bot/message/narrowcast`: accepted with 202, then delivered asynchronously; the
 * progress endpoint moves from `waiting` to `succeeded` or `failed` (errorCode 4 for an audience
 * under the minimum, 5 when `forbidPartialDelivery` meets too little quota).
 */
export function narrowcastMessage(
  state: SandboxState,
  body: unknown,
  ctx: SendContext,
): Record<string, never> {
  guardRetryKey(state, ctx);
  const p = new Problems();
  if (!requireObject(p, body, 'body')) throwIfProblems(p);
  const b = body as Record<string, unknown>;
  validateMessageList(p, b.messages);
  const small: string[] = [];
  const recipient =
    b.recipient === undefined ? () => true : compileRecipient(state, b.recipient, 'recipient', p, small);
  const filter = isObject(b.filter) && b.filter.demographic !== undefined;
  const demographic = filter
    ? compileDemographic((b.filter as Record<string, unknown>).demographic, 'filter.demographic', p)
    : () => true;
  const limit = isObject(b.limit) ? b.limit : {};
  throwIfProblems(p);
  if (state.quota.remaining() === 0) state.quota.reserve(1, 'narrowcast');
  const now = state.config.clock();
  const progress: NarrowcastProgress = { phase: 'waiting', acceptedTime: new Date(now).toISOString() };
  state.narrowcasts.progress.set(ctx.requestId, progress);
  if (ctx.retryKey !== null) state.retryKeys.accept(ctx.retryKey, ctx.requestId);
  const run = (): Partial<NarrowcastProgress> => {
    if (small.length > 0) return { phase: 'failed', errorCode: 4, failedDescription: 'audience too small' };
    let targets = state.users
      .friends()
      .filter((u) => recipient(u) && demographic(u))
      .map((u) => u.userId);
    if (typeof limit.max === 'number') targets = targets.slice(0, limit.max);
    const remaining = state.quota.remaining();
    if (targets.length > remaining) {
      if (limit.forbidPartialDelivery === true) {
        return {
          phase: 'failed',
          errorCode: 5,
          failedDescription: 'not enough quota',
          targetCount: targets.length,
        };
      }
      targets = targets.slice(0, remaining);
    }
    state.narrowcasts.targets.set(ctx.requestId, targets);
    deliver(state, 'narrowcast', targets, b.messages as unknown[], ctx, null);
    const success = targets.filter((id) => isDeliverable(state, id)).length;
    return {
      phase: 'succeeded',
      successCount: success,
      failureCount: targets.length - success,
      targetCount: targets.length,
    };
  };
  // LINE delivers narrowcasts asynchronously: the 202 comes first, the progress changes later.
  setImmediate(() => {
    Object.assign(progress, run(), { completedTime: new Date(state.config.clock()).toISOString() });
  });
  return {};
}

/** `GET /v2/bot/message/progress/narrowcast?requestId=` */
export function narrowcastProgress(state: SandboxState, requestId: unknown): NarrowcastProgress {
  const progress = typeof requestId === 'string' ? state.narrowcasts.progress.get(requestId) : undefined;
  if (progress === undefined) throw new LineApiError('not-found', 'Not found');
  return progress;
}
