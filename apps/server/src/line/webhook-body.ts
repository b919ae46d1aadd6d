import { createHmac, randomUUID } from 'node:crypto';
import { DomainError } from '../shared/domain-error.ts';

/**
 * One event of a signed webhook body, ready to store. `problem` is set when the event can never
 * be handled (not an object, a timestamp out of range, nested too deeply, …): it is stored set
 * aside with that reason, for an operator, and the other events of the body go on. LINE sends
 * one body for many users' events, so one bad event must not fail the delivery.
 */
export interface IncomingEvent {
  id: string;
  type: string;
  lineUserId: string | null;
  occurredAt: Date;
  /** JSON that PostgreSQL's jsonb accepts (no NUL, no lone surrogates, bounded depth). */
  payload: string;
  redelivered: boolean;
  problem: string | null;
}

/** LINE's events nest about 5 levels (message → emojis → item); anything far deeper is not LINE's. */
export const MAX_EVENT_DEPTH = 32;
const MAX_ID = 64;
const MAX_TYPE = 64;
const EARLIEST = Date.UTC(2011, 0, 1); // LINE began in 2011
const AHEAD_MS = 24 * 60 * 60 * 1000;

function invalidBody(path: string, message: string): DomainError {
  return new DomainError('invalid', `${path}: ${message}`, [{ path, message }]);
}

/**
 * Reads a webhook body whose signature was verified: a JSON object whose `events` (when present)
 * is an array. A body that is not is `invalid` (400); anything wrong inside one event only sets
 * that event aside.
 */
export function readWebhookBody(body: Buffer, receivedAt: Date): IncomingEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidBody('body', 'not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalidBody('body', 'not a JSON object with an events array');
  const { events } = parsed as { events?: unknown };
  if (events === undefined) return [];
  if (!Array.isArray(events)) throw invalidBody('events', 'not an array');
  return events.map((event, i) => readEvent(event, `events[${i}]`, receivedAt));
}

function readEvent(raw: unknown, path: string, receivedAt: Date): IncomingEvent {
  const unread = { type: 'unknown', lineUserId: null, occurredAt: receivedAt, redelivered: false };
  if (deeperThan(raw, MAX_EVENT_DEPTH)) {
    // JSON.stringify recurses (and jsonb refuses deep input): keep only a note.
    const id = (raw as { webhookEventId?: unknown }).webhookEventId;
    return {
      ...unread,
      id: isEventId(id) ? storableText(id) : `unreadable:${randomUUID()}`,
      payload: JSON.stringify({ kizuna: `not stored: nested deeper than ${MAX_EVENT_DEPTH} levels` }),
      problem: `${path}: nested deeper than ${MAX_EVENT_DEPTH} levels`,
    };
  }
  const event = storable(raw);
  const payload = JSON.stringify(event);
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return { ...unread, id: hashId(payload), payload, problem: `${path}: not an event object` };
  const e = event as Record<string, unknown>;
  const problems: string[] = [];
  let id = hashId(payload);
  if (isEventId(e.webhookEventId)) id = e.webhookEventId;
  else if (e.webhookEventId !== undefined)
    problems.push(`${path}.webhookEventId: not a webhook event id (1 to ${MAX_ID} characters)`);
  let type = 'unknown';
  if (typeof e.type === 'string' && e.type.length >= 1 && e.type.length <= MAX_TYPE) type = e.type;
  else if (e.type !== undefined)
    problems.push(`${path}.type: not an event type (1 to ${MAX_TYPE} characters)`);
  let occurredAt = receivedAt;
  const t = e.timestamp;
  if (typeof t === 'number' && Number.isInteger(t) && t >= EARLIEST && t <= receivedAt.getTime() + AHEAD_MS)
    occurredAt = new Date(t);
  else if (t !== undefined)
    problems.push(`${path}.timestamp: not a time in milliseconds between 2011 and tomorrow`);
  const source = e.source as { userId?: unknown } | null | undefined;
  const context = e.deliveryContext as { isRedelivery?: unknown } | null | undefined;
  return {
    id,
    type,
    lineUserId: typeof source?.userId === 'string' ? source.userId : null,
    occurredAt,
    payload,
    redelivered: context?.isRedelivery === true,
    problem: problems.length ? problems.join('; ') : null,
  };
}

function isEventId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID;
}

/** An event without an id is keyed by its content, so a repeat of it is still one event. */
function hashId(json: string): string {
  return `sha256:${createHmac('sha256', 'event').update(json).digest('hex')}`;
}

/** Iterative, so a body nested a million levels deep cannot exhaust the stack. */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [v, depth] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses lone UTF-16 surrogates (JSON
 * allows both as escapes): each becomes U+FFFD, in keys and values, so the event is kept.
 * Recursion is bounded by {@link MAX_EVENT_DEPTH}, checked first.
 */
function storable(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storable);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storable(v)]));
  return value;
}

// NUL, a high surrogate not followed by a low one, a low surrogate not after a high one (no
// `u` flag: the pattern sees UTF-16 code units).
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what must go
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}
