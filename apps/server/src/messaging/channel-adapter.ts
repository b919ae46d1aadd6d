// The seam between the messaging core and one channel's protocol (LINE: line/line-adapter.ts).
import type { Kysely } from 'kysely';
import type { ConsentChannel, IdentityKind } from '../customers/customer-tables.ts';
import type { DB } from '../db/schema.ts';
import type { JobContext } from '../jobs/job-types.ts';
import type { FieldProblem } from '../shared/domain-error.ts';
import type { RequestOutcome } from './decisions.ts';

/** A send as the core hands it to its adapter. */
export interface SendRecord {
  id: number;
  /** The adapter's key for the account the send goes out through (a LINE channel). */
  channelId: string;
  /** The content every recipient shares (personalised content travels on its request). */
  messages: unknown[];
  /** The provider's statistics label for this send, if any (LINE's customAggregationUnits). */
  aggregationUnit: string | null;
}

/**
 * One request to the channel, stored with its retry key before it is first sent. Its recipients
 * are the outbox rows from `seqFrom` to `seqTo` still queued, so a resend names the same people.
 */
export interface PlannedRequest<Kind extends string = string> {
  seqFrom: number;
  kind: Kind;
  retryKey: string;
  /** Addresses on the channel (LINE user ids, email addresses). */
  recipients: string[];
  messages: unknown[];
}

/** An open connection to the channel for one send: performs requests, nothing else. */
export interface ChannelSender<Kind extends string = string> {
  /**
   * Performs one request with its retry key and classifies the answer: accepted (a repeat the
   * channel recognises by its key counts as accepted), failed for good, quota, or retry later.
   * It retries transient failures itself with the same key; anything it throws is a bug or an
   * infrastructure failure and stops the send's job (the request stays pending).
   *
   * `hold` is given to a channel that does not recognise retry keys (`recognisesRetryKey:
   * false`): the commit of the previous outcome on this slot. The adapter may prepare and
   * transmit the request meanwhile, but must not let the channel accept it before `hold`
   * resolves (SMTP: the final `.` waits), and must abandon it unaccepted if `hold` rejects.
   */
  perform(request: PlannedRequest<Kind>, hold?: Promise<void>): Promise<RequestOutcome>;
  /**
   * Optional: starts the work `request` needs before it can go out (email: build and DKIM-sign
   * the message), because it is the next one `perform` will be given on its slot. Nothing may
   * reach the channel here; a failure surfaces when `perform` is called with the request.
   */
  prepare?(request: PlannedRequest<Kind>): void;
  /** Requests in flight for this send, when the account says (email: the relay's connections); else the adapter's `concurrency`. */
  concurrency?: number;
}

/** What the core sends as one request: shared content in batches, personalised content alone. */
export interface Batching<Kind extends string> {
  shared: { kind: Kind; maxRecipients: number };
  personal: Kind;
}

/**
 * A channel as the messaging core sees it. The core owns the outbox, idempotency, consent at send
 * time, decisions, leases and quota pauses; the adapter speaks the channel's protocol.
 */
export interface ChannelAdapter<Kind extends string = string> {
  /** The channel's name in logs ('LINE send done': operators and tests wait for these lines). */
  label: string;
  /** The consent channel checked (purpose `marketing`) when each request is planned. */
  channel: ConsentChannel;
  /** The identity that gives a customer's address on this channel (its lowest value is used). */
  identityKind: IdentityKind;
  /** The job that delivers a send ({ workspaceId, sendId }). */
  jobName: string;
  /** How long the channel honours a retry key; a request pending longer fails instead of risking a duplicate. */
  retryKeyLifetimeMs: number;
  /**
   * Whether the channel recognises a resent request by its retry key and does not act on it twice
   * (LINE's X-Line-Retry-Key). SMTP does not: a message resent after an unrecorded 250 arrives
   * twice. For such a channel the core commits each outcome before its slot sends the next
   * request, so a killed worker leaves at most `concurrency` messages to be sent a second time.
   */
  recognisesRetryKey: boolean;
  /** Requests in flight at once for one send (default 16); for email, the SMTP pool's connections. */
  concurrency?: number;
  batching: Batching<Kind>;
  /** Checks content and options the channel would refuse, naming the field (`messages[0].text`). */
  checkContent(messages: unknown[], path: string, problems: FieldProblem[]): void;
  checkAggregationUnit(unit: string, problems: FieldProblem[]): void;
  /** Throws `not_found` unless the workspace has this account on the channel. */
  assertChannel(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<void>;
  /**
   * The addresses among `addresses` the channel must not send to (email's suppression list),
   * checked when each request is planned; they are skipped `suppressed`. Absent: none.
   */
  suppressedAddresses?(db: Kysely<DB>, workspaceId: string, addresses: string[]): Promise<Set<string>>;
  /** Opens the channel's account for delivering one send. */
  open(context: JobContext, workspaceId: string, send: SendRecord): Promise<ChannelSender<Kind>>;
}
