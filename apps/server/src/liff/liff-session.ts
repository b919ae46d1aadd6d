// POST /v1/liff/session: a LIFF app trades its ID token for a member session. The LINE user id
// comes from the verified token only, never from the client.
import type { Kysely } from 'kysely';
import { recordAttribution } from '../attribution/attribution-sources.ts';
import { findByIdentities, upsertCustomer } from '../customers/upsert-customer.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { LineHostAllowance } from '../line/line-hosts.ts';
import { pgErrorCode, UNIQUE_VIOLATION } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { findLiffApp } from './liff-apps.ts';
import { memberCard } from './member-reads.ts';
import { MEMBER_SESSION_TTL_MS, openMemberSession } from './member-sessions.ts';
import { surveyAnsweredAt } from './survey-answers.ts';
import { verifyLiffIdToken } from './verify-id-token.ts';

export interface LiffSessionInput {
  liffId: string;
  idToken: string;
  /** The nonce the app put in its login request; when given, the token must carry it. */
  nonce?: string | undefined;
  /**
   * Answer with the member's card too, as GET /v1/liff/me/card would: the app's first screen then
   * costs one round trip instead of two (bench/liff).
   */
  withCard?: boolean | undefined;
  /** The attribution source code the app was opened with (`?src=`), recorded if none is yet. */
  src?: string | undefined;
}

export interface LiffSession {
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  /** The session's lifetime, so the app renews it in time whatever its own clock says. */
  expiresInSeconds: number;
  /** True until the member has answered the first-open survey. */
  firstOpen: boolean;
  /** True when this open made the customer (a LINE user Kizuna did not know). */
  newCustomer: boolean;
  /** The membership card, when the request asked for it (`withCard`). */
  card?: Awaited<ReturnType<typeof memberCard>>;
}

/**
 * The customer holding this LINE identity, or a new one (acquisition source `liff`). A friend
 * Kizuna already knows keeps their customer. Two first opens racing each other meet on the
 * identity's unique key; the loser finds the winner's customer.
 */
async function memberCustomer(db: Kysely<DB>, workspaceId: string, lineUserId: string, now: Date) {
  const identity = [{ kind: 'line' as const, namespace: '', value: lineUserId }];
  for (let attempt = 0; ; attempt++) {
    const [found] = await findByIdentities(db, workspaceId, identity);
    if (found !== undefined) return { customerId: found, created: false };
    try {
      const input = { lineUserId, registeredAt: now.toISOString(), acquisitionSource: 'liff' };
      const outcome = await transact(db, (tx) => upsertCustomer(tx, workspaceId, input, { source: 'liff' }));
      return { customerId: outcome.id, created: outcome.created };
    } catch (error) {
      if (attempt > 0 || pgErrorCode(error) !== UNIQUE_VIOLATION) throw error;
    }
  }
}

/**
 * Verifies the ID token for the LIFF app (signature by LINE Login's JWKS for ES256 or by the login
 * channel's secret for HS256, issuer, audience = the app's login channel, expiry, nonce), finds or
 * creates the customer and opens a member session.
 */
export async function startLiffSession(
  db: Kysely<DB>,
  deps: { hosts: LineHostAllowance; secrets: SecretBox },
  input: LiffSessionInput,
  now: Date,
): Promise<LiffSession> {
  const app = await findLiffApp(db, input.liffId, deps.hosts);
  const verified = await verifyLiffIdToken(input.idToken, {
    apiBaseUrl: app.apiBaseUrl,
    loginChannelId: app.loginChannelId,
    loginChannelSecret: deps.secrets.open(app.loginChannelSecretSealed),
    now,
    nonce: input.nonce,
  });
  const { customerId, created } = await memberCustomer(db, app.workspaceId, verified.lineUserId, now);
  // First touch wins: a customer who already has a source (an earlier poster) keeps it.
  if (input.src !== undefined) await recordAttribution(db, app.workspaceId, customerId, input.src, now);
  const session = await openMemberSession(db, {
    workspaceId: app.workspaceId,
    customerId,
    channelId: app.channelId,
    lineUserId: verified.lineUserId,
    now,
  });
  const answeredAt = await surveyAnsweredAt(db, app.workspaceId, customerId);
  const member = { workspaceId: app.workspaceId, customerId };
  return {
    token: session.token,
    tokenType: 'Bearer',
    expiresAt: session.expiresAt.toISOString(),
    expiresInSeconds: MEMBER_SESSION_TTL_MS / 1000,
    firstOpen: answeredAt === null,
    newCustomer: created,
    ...(input.withCard ? { card: await memberCard(db, deps.secrets, member, now) } : {}),
  };
}
