// What became of each recipient of a send, as the messaging core records it.
import type { ConsentStatus, IdentityKind } from '../customers/customer-tables.ts';

/**
 * Why a recipient was skipped. A reason is decided once and stored on the recipient's outbox row:
 * - `no_line_identity`, `no_email_identity`, …: the customer has no address on the send's channel
 *   (decided when the send is created);
 * - `no_consent`: no consent record for the channel's marketing purpose;
 * - `revoked`, `blocked`: the consent record says no (decided when the recipient's request is
 *   planned, so a withdrawal between enqueue and send is honoured);
 * - `capped`: a marketing message over the channel's frequency cap (rule `cap:line:2/168h`);
 * - `quiet_hours`: a marketing send that skips in quiet hours planned then (rule `quiet:21:00-09:00`);
 * - `suppressed`: the channel will not send to the address (email: it hard-bounced or complained),
 *   whatever consent says (decided when the request is planned).
 */
export type SkipReason =
  | `no_${IdentityKind}_identity`
  | 'no_consent'
  | Exclude<ConsentStatus, 'granted'>
  | 'capped'
  | 'quiet_hours'
  | 'suppressed';

/**
 * Why a send stopped before its end; it resumes where it stopped (nothing is dropped):
 * `monthly_quota_exhausted` on a resume, `quiet_hours` by itself at the send's `resumeAt`.
 */
export type PauseReason = 'monthly_quota_exhausted' | 'quiet_hours';

/** A recipient's status: a row's own decision (skipped, failed), else its request's outcome. */
export type MessageStatus = 'queued' | 'sent' | 'failed' | 'skipped';

/** The decision recorded for one recipient: sent, skipped with its reason, failed with the channel's. */
export type Decision =
  | { status: 'queued'; reason: null }
  | { status: 'sent'; reason: null }
  | { status: 'skipped'; reason: SkipReason; rule: string | null }
  | { status: 'failed'; reason: string };

/** What one request to the channel came to, as the adapter classifies it. */
export type RequestOutcome =
  /** Taken by the channel (now, or earlier under the same retry key). */
  | { kind: 'accepted'; providerRequestId: string | null; attempts: number }
  /** Refused for good (a 4xx): its recipients are failed with the channel's reason. */
  | { kind: 'failed'; error: string; attempts: number }
  /** The channel's quota is used up: the send pauses and the request stays pending. */
  | { kind: 'quota'; attempts: number }
  /** Unavailable for now: the request stays pending and is resent with the same retry key. */
  | { kind: 'retry_later'; error: string; attempts: number };

/** The skip reason consent gives a marketing message at send time, or null when it may be sent. */
export function consentSkipReason(status: ConsentStatus | null | undefined): SkipReason | null {
  if (status === 'granted') return null;
  return status ?? 'no_consent';
}

/**
 * The skip reason for a transactional message (a reservation confirmation): it needs no opt-in,
 * so only an opt-out of the channel's transactional messages or a block (recorded on the
 * marketing purpose by a LINE unfollow, and stopping every message) skips it.
 */
export function transactionalSkipReason(
  marketing: ConsentStatus | null | undefined,
  transactional: ConsentStatus | null | undefined,
): SkipReason | null {
  if (transactional === 'revoked' || transactional === 'blocked') return transactional;
  if (marketing === 'blocked') return 'blocked';
  return null;
}
