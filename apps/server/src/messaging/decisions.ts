// What became of each recipient of a send, as the messaging core records it.
import type { ConsentStatus, IdentityKind } from '../customers/customer-tables.ts';

/**
 * Why a recipient was skipped. A reason is decided once and stored on the recipient's outbox row:
 * - `no_line_identity`, `no_email_identity`, …: the customer has no address on the send's channel
 *   (decided when the send is created);
 * - `no_consent`: no consent record for the channel's marketing purpose;
 * - `revoked`, `blocked`: the consent record says no (decided when the recipient's request is
 *   planned, so a withdrawal between enqueue and send is honoured).
 */
export type SkipReason = `no_${IdentityKind}_identity` | 'no_consent' | Exclude<ConsentStatus, 'granted'>;

/** Why a send stopped before its end; it resumes where it stopped (nothing is dropped). */
export type PauseReason = 'monthly_quota_exhausted';

/** A recipient's status: a row's own decision (skipped, failed), else its request's outcome. */
export type MessageStatus = 'queued' | 'sent' | 'failed' | 'skipped';

/** The decision recorded for one recipient: sent, skipped with its reason, failed with the channel's. */
export type Decision =
  | { status: 'queued'; reason: null }
  | { status: 'sent'; reason: null }
  | { status: 'skipped'; reason: SkipReason }
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

/** The skip reason consent gives at send time, or null when the recipient may be sent to. */
export function consentSkipReason(status: ConsentStatus | null | undefined): SkipReason | null {
  if (status === 'granted') return null;
  return status ?? 'no_consent';
}
